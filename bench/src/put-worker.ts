/**
 * A producer process: the load comes from processes of its own, apart from the broker and the coordinator,
 * so that the producers' CPU is not the coordinator's and one event loop does not throttle all of them.
 */
import { EddyClient } from "@eddy/client";
import { runClosedLoop } from "./closed-loop.js";
import type { ClosedLoopPutConfig, OpenLoopPutConfig, WorkerConfig } from "./ipc.js";
import { runOpenLoop } from "./open-loop.js";
import { PayloadPool } from "./payload.js";
import { serveWorker, type WorkerJob } from "./worker-runtime.js";

/** Long enough for any queue the broker may build; short enough that a run cannot hang on a lost call. */
export const PUT_DEADLINE_MS = 10_000;

serveWorker(async (config: WorkerConfig): Promise<WorkerJob> => {
  if (config.kind !== "closed-loop-put" && config.kind !== "open-loop-put")
    throw new Error(`put-worker cannot run ${config.kind}`);
  const clients = config.endpoints.map((endpoint) => new EddyClient({ endpoint, deadlineMs: PUT_DEADLINE_MS }));
  // Opens the HTTP/2 connections now, so that connecting is not part of the warm-up, let alone the window.
  await Promise.all(clients.map((client) => client.describeStreamSummary({ streamName: config.streamName })));
  const payloads = new PayloadPool(config.recordBytes);
  return {
    run: (schedule, progress) =>
      isClosedLoop(config)
        ? runClosedLoop(clients, config, payloads, schedule, progress)
        : runOpenLoop(clients, config, payloads, schedule, progress),
    close: () => {
      for (const client of clients) client.close();
    },
  };
});

function isClosedLoop(config: ClosedLoopPutConfig | OpenLoopPutConfig): config is ClosedLoopPutConfig {
  return config.kind === "closed-loop-put";
}

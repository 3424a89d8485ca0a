/**
 * A NATS JetStream publisher process for the peers scenario: the same closed loop as the put worker's, one
 * message per publish, each publish awaiting the stream's acknowledgement (stored on its replicas).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "nats";
import { epochNowMs, inWindow, sleepUntil } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs } from "./histogram.js";
import type { NatsPublishConfig, WorkerResult } from "./ipc.js";
import { PayloadPool } from "./payload.js";
import { cpuDuringWindowMs, ErrorTally, serveWorker } from "./worker-runtime.js";

/** As the put worker's deadline: long enough for any queue, short enough that a lost ack cannot hang a run. */
const PUBLISH_TIMEOUT_MS = 10_000;
/** After a failed publish a lane pauses this long, as the put worker's does. */
const FAILURE_BACKOFF_MS = 20;

serveWorker(async (config) => {
  if (config.kind !== "nats-publish") throw new Error(`nats-worker cannot run ${config.kind}`);
  const publish: NatsPublishConfig = config;
  const nc = await connect({ servers: [...publish.servers], timeout: 5_000 });
  const js = nc.jetstream({ timeout: PUBLISH_TIMEOUT_MS });
  const payloads = new PayloadPool(publish.recordBytes);
  return {
    async run(schedule, progress): Promise<WorkerResult> {
      const latency = newLatencyHistogram();
      const errors = new ErrorTally();
      const counts = { records: 0, calls: 0, failedRecords: 0, failedCalls: 0 };
      const cpuMs = cpuDuringWindowMs(schedule);
      await sleepUntil(schedule.loadStartAtMs);
      const lane = async (): Promise<void> => {
        while (epochNowMs() < schedule.measureEndAtMs) {
          const sentAtMs = epochNowMs();
          try {
            await js.publish(publish.subject, payloads.data());
            const answeredAtMs = epochNowMs();
            progress.records += 1;
            if (!inWindow(schedule, answeredAtMs)) continue;
            recordLatencyMs(latency, answeredAtMs - sentAtMs);
            counts.records += 1;
            counts.calls += 1;
          } catch (error) {
            if (inWindow(schedule, epochNowMs())) {
              counts.failedCalls += 1;
              errors.addError(error);
            }
            await sleep(FAILURE_BACKOFF_MS);
          }
        }
      };
      await Promise.all(Array.from({ length: publish.concurrency }, () => lane()));
      return { ...counts, errors: errors.counts, latencyHistogram: encodeHistogram(latency), cpuMs: await cpuMs };
    },
    close(): void {
      void nc.close();
    },
  };
});

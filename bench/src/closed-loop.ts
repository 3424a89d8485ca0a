import { setTimeout as sleep } from "node:timers/promises";
import type { EddyClient } from "@eddy/client";
import { epochNowMs, inWindow, sleepUntil, type Schedule } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs } from "./histogram.js";
import type { ClosedLoopPutConfig, WorkerResult } from "./ipc.js";
import type { PayloadPool } from "./payload.js";
import { cpuDuringWindowMs, ErrorTally, type ProgressCounter } from "./worker-runtime.js";

/** After a failed call a lane pauses this long, so that a refusing broker is not hammered in a tight loop. */
const FAILURE_BACKOFF_MS = 20;

/**
 * `concurrency` lanes, each sending PutRecords of `batchRecords` records and the next one as soon as the
 * answer arrives; lane i uses `clients[i % n]` (one per broker). A call counts when it completes within
 * the window; calls still in flight at the window's end are awaited (the client's deadline bounds them)
 * but not counted.
 */
export async function runClosedLoop(
  clients: readonly EddyClient[],
  config: ClosedLoopPutConfig,
  payloads: PayloadPool,
  schedule: Schedule,
  progress: ProgressCounter,
): Promise<WorkerResult> {
  const latency = newLatencyHistogram();
  const errors = new ErrorTally();
  const counts = { records: 0, calls: 0, failedRecords: 0, failedCalls: 0 };
  const cpuMs = cpuDuringWindowMs(schedule);
  await sleepUntil(schedule.loadStartAtMs);

  const lane = async (laneIndex: number): Promise<void> => {
    const client = clients[laneIndex % clients.length]!;
    while (epochNowMs() < schedule.measureEndAtMs) {
      const records = payloads.batch(config.batchRecords);
      const sentAtMs = epochNowMs();
      try {
        const output = await client.putRecords({ streamName: config.streamName, records });
        const answeredAtMs = epochNowMs();
        const acked = records.length - output.failedRecordCount;
        progress.records += acked;
        if (!inWindow(schedule, answeredAtMs)) continue;
        recordLatencyMs(latency, answeredAtMs - sentAtMs);
        counts.records += acked;
        counts.calls += 1;
        counts.failedRecords += output.failedRecordCount;
        for (const entry of output.records) if (entry.errorCode) errors.add(entry.errorCode);
      } catch (error) {
        if (inWindow(schedule, epochNowMs())) {
          counts.failedCalls += 1;
          errors.addError(error);
        }
        await sleep(FAILURE_BACKOFF_MS);
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, (_, laneIndex) => lane(laneIndex)));
  return { ...counts, errors: errors.counts, latencyHistogram: encodeHistogram(latency), cpuMs: await cpuMs };
}

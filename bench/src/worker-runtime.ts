/**
 * The life of a worker process, shared by every worker entry point: wait for `configure`, prepare (connect),
 * answer `ready`; on `go`, run the load and answer `result`; then exit. Any failure is reported as `failed`
 * and ends the process with a non-zero code, so the coordinator never waits on a broken worker.
 */
import type { Schedule } from "./clock.js";
import { sleepUntil } from "./clock.js";
import { isToWorker, type FromWorker, type WorkerConfig, type WorkerResult } from "./ipc.js";

/** How often a worker tells the coordinator its running record count (for the progress bar only). */
const PROGRESS_INTERVAL_MS = 500;

/** Records done since load start, warm-up included; the load loops bump it, the runtime reports it. */
export interface ProgressCounter {
  records: number;
}

export interface WorkerJob {
  run(schedule: Schedule, progress: ProgressCounter): Promise<WorkerResult>;
  close(): void;
}

export function serveWorker(prepare: (config: WorkerConfig) => Promise<WorkerJob>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("a bench worker must be started by the coordinator (node:child_process fork)");
  const post = (message: FromWorker): Promise<void> =>
    new Promise((resolve) => send(message, undefined, {}, () => resolve()));
  // Without its coordinator nobody would stop this process: leave with it.
  process.on("disconnect", () => process.exit(1));

  let job: WorkerJob | undefined;
  const fail = async (error: unknown): Promise<never> => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await post({ type: "failed", message }).catch(() => {});
    process.exit(1);
  };
  process.on("message", (message: unknown) => {
    if (!isToWorker(message)) return void fail(new Error(`unexpected message ${JSON.stringify(message)}`));
    const step =
      message.type === "configure"
        ? prepare(message.config).then(async (prepared) => {
            job = prepared;
            await post({ type: "ready" });
          })
        : runJob(job, message.schedule, post);
    step.catch(fail);
  });
}

async function runJob(
  job: WorkerJob | undefined,
  schedule: Schedule,
  post: (m: FromWorker) => Promise<void>,
): Promise<void> {
  if (!job) throw new Error("go before configure");
  const progress: ProgressCounter = { records: 0 };
  const ticker = setInterval(() => void post({ type: "progress", records: progress.records }), PROGRESS_INTERVAL_MS);
  try {
    const result = await job.run(schedule, progress);
    await post({ type: "result", result });
  } finally {
    clearInterval(ticker);
    job.close();
  }
  process.exit(0);
}

/** CPU time (user + system, ms) this process uses between the window's start and end. */
export async function cpuDuringWindowMs(schedule: Schedule): Promise<number> {
  await sleepUntil(schedule.measureStartAtMs);
  const start = process.cpuUsage();
  await sleepUntil(schedule.measureEndAtMs);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Failure counts by name, e.g. { ServiceUnavailableException: 3 }. */
export class ErrorTally {
  readonly counts: Record<string, number> = {};

  add(name: string, count = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + count;
  }

  addError(error: unknown): void {
    this.add(error instanceof Error ? error.name : "UnknownError");
  }
}

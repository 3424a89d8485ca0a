/**
 * Every run is bounded in time and leaves nothing behind: what a run starts it registers here, and the
 * registered clean-ups run (last first) when the run ends, fails or overruns its bound, and on Ctrl-C.
 */
export type Cleanup = () => Promise<void>;

export class Cleanups {
  private readonly steps: Cleanup[] = [];

  add(step: Cleanup): void {
    this.steps.push(step);
  }

  /** Runs every step even if some fail; reports the failures on stderr (the run's own error matters more). */
  async runAll(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      await step().catch((error: unknown) => process.stderr.write(`clean-up failed: ${String(error)}\n`));
    }
  }
}

const active = new Set<Cleanups>();

/**
 * Runs `body` with a fresh clean-up list; rejects if it does not finish within `timeoutMs`. Either way the
 * clean-ups run before this returns, which kills the processes the body is waiting on.
 */
export async function runBounded<T>(label: string, timeoutMs: number, body: (cleanups: Cleanups) => Promise<T>): Promise<T> {
  const cleanups = new Cleanups();
  active.add(cleanups);
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} exceeded its bound of ${Math.round(timeoutMs / 1000)} s; stopped`)), timeoutMs);
  });
  const work = body(cleanups);
  // After an overrun the body fails as its processes die; that later failure is expected, not news.
  work.catch(() => {});
  try {
    return await Promise.race([work, overrun]);
  } finally {
    clearTimeout(timer);
    await cleanups.runAll();
    active.delete(cleanups);
  }
}

/** On SIGINT/SIGTERM, cleans up every run in progress (brokers, data directories, workers) before exiting. */
export function cleanUpOnSignals(): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping brokers and workers\n`);
    void Promise.all([...active].map((c) => c.runAll())).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}

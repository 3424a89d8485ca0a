/**
 * Every run is bounded in time and leaves nothing behind: what a run starts it registers here, and the
 * registered clean-ups run (last first) when the run ends, fails or overruns its bound, and on Ctrl-C.
 */
export type Cleanup = () => Promise<void>;

export class Cleanups {
  private readonly steps: Cleanup[] = [];
  private readonly lateSteps: Promise<void>[] = [];
  private closing: Promise<void> | undefined;

  /**
   * A step added after clean-up began (a broker that finished starting after its run overran) runs at
   * once: the run it belonged to is over.
   */
  add(step: Cleanup): void {
    if (this.closing) this.lateSteps.push(runStep(step));
    else this.steps.push(step);
  }

  /** The same promise however often it is called, so that Ctrl-C and a failing run share one clean-up. */
  runAll(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    while (this.steps.length > 0) await runStep(this.steps.pop()!);
    await Promise.all(this.lateSteps);
  }
}

/** Runs a step; a failure is reported on stderr but stops nothing (the run's own error matters more). */
async function runStep(step: Cleanup): Promise<void> {
  await step().catch((error: unknown) => process.stderr.write(`clean-up failed: ${String(error)}\n`));
}

const active = new Set<Cleanups>();
let interruptedBy: NodeJS.Signals | undefined;

/**
 * Runs `body` with a fresh clean-up list; rejects if it does not finish within `timeoutMs`. Either way the
 * clean-ups run before this returns, which kills the processes the body is waiting on.
 */
export async function runBounded<T>(
  label: string,
  timeoutMs: number,
  body: (cleanups: Cleanups) => Promise<T>,
): Promise<T> {
  const cleanups = new Cleanups();
  active.add(cleanups);
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label} exceeded its bound of ${Math.round(timeoutMs / 1000)} s; stopped`)),
      timeoutMs,
    );
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

/** On SIGINT/SIGTERM, cleans up every run in progress (brokers, data directories, workers), then exits. */
export function cleanUpOnSignals(): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    interruptedBy = signal;
    process.stderr.write(`\n${signal}: stopping brokers and workers (again to exit at once)\n`);
    void Promise.all([...active].map((c) => c.runAll())).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}

/** Set once a signal has begun the clean-up: failures after it are its consequences, not news. */
export function interrupted(): NodeJS.Signals | undefined {
  return interruptedBy;
}

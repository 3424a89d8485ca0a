import type { ChildProcess } from "node:child_process";

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How a test drives a child process it started: signals, SIGKILL, SIGTERM, and how it ended. */
export class ChildHandle {
  protected constructor(
    readonly child: ChildProcess,
    protected readonly exited: Promise<ChildExit>,
  ) {}

  /** Whether the process has not exited yet (it may be stopped by SIGSTOP). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal; SIGKILL and SIGSTOP are how tests crash and freeze a process. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with how the process ended. */
  waitForExit(): Promise<ChildExit> {
    return this.exited;
  }

  async kill(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM, then waits for the exit (a broker drains, a worker checkpoints and releases its leases). */
  async stop(): Promise<ChildExit> {
    if (this.running) this.child.kill("SIGTERM");
    return this.exited;
  }
}

/** The promise of a child's exit, made before anything can miss the event. */
export function exitOf(child: ChildProcess): Promise<ChildExit> {
  return new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));
}

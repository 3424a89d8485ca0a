import cliProgress from "cli-progress";

/** When stderr is not a terminal (CI, a log file), a line this often instead of a redrawn bar. */
const NON_TTY_LINE_INTERVAL_MS = 2_000;

/** One bar per run on stderr, so that stdout keeps only the report. Its value is elapsed load time. */
export class RunProgress {
  private readonly bar: cliProgress.SingleBar;

  constructor(label: string, totalMs: number) {
    this.bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {percentage}% | {phase} | {rate} records/s`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: NON_TTY_LINE_INTERVAL_MS,
      hideCursor: true,
    });
    this.bar.start(Math.max(1, Math.round(totalMs)), 0, { phase: "starting", rate: "-" });
  }

  update(elapsedMs: number, phase: string, recordsPerSec: number): void {
    this.bar.update(Math.round(elapsedMs), { phase, rate: Math.round(recordsPerSec).toLocaleString("en-US") });
  }

  stop(): void {
    this.bar.stop();
  }
}

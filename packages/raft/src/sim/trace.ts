/**
 * The event trace: the last events of a run, kept cheaply (as closures that format on demand) so that
 * a failure can show what led to it; or every event, printed as it happens, when replaying with --trace.
 */
const RECENT_EVENTS = 200;

export class Trace {
  readonly #recent: (() => string)[] = [];
  #next = 0;
  readonly #sink: ((line: string) => void) | undefined;
  timeMs = 0;

  constructor(sink?: (line: string) => void) {
    this.#sink = sink;
  }

  add(describe: () => string): void {
    const timeMs = this.timeMs;
    const line = (): string => `${timeMs.toFixed(0).padStart(6)}ms ${describe()}`;
    if (this.#sink !== undefined) this.#sink(line());
    this.#recent[this.#next] = line;
    this.#next = (this.#next + 1) % RECENT_EVENTS;
  }

  recent(): string[] {
    const ordered = [...this.#recent.slice(this.#next), ...this.#recent.slice(0, this.#next)];
    return ordered.map((line) => line());
  }
}

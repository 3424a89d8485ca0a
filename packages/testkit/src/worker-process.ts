import { spawn, type ChildProcess } from "node:child_process";
import { ChildHandle, exitOf } from "./child-handle.js";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { WorkerSpec } from "./worker-main.js";

export type { WorkerSpec } from "./worker-main.js";

const WORKER_MAIN = resolve(fileURLToPath(import.meta.url), "../worker-main.js");
const WAIT_TIMEOUT_MS = 60_000;

export interface WorkerEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

/** One line of a worker's output file. */
export type WorkerLine =
  | {
      readonly kind: "P";
      readonly shardId: string;
      readonly sequenceNumber: string;
      readonly partitionKey: string;
      /** When it was processed, ms since the epoch (fractional). */
      readonly atMs: number;
      readonly data: string;
    }
  | { readonly kind: "C"; readonly shardId: string; readonly sequenceNumber: string };

/**
 * A consumer-application worker in its own process (worker-main.ts), as a user would run one. Tests
 * crash it (SIGKILL), freeze it (SIGSTOP), stop it (SIGTERM), and read back what it processed.
 */
export class WorkerProcess extends ChildHandle {
  readonly events: WorkerEvent[] = [];
  private waiters: Array<{ test: (e: WorkerEvent) => boolean; wake: (e: WorkerEvent) => void }> = [];
  private readonly stderr: string[] = [];

  private constructor(
    readonly spec: WorkerSpec,
    child: ChildProcess,
  ) {
    super(child, exitOf(child));
    child.stderr!.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let event: WorkerEvent;
      try {
        event = JSON.parse(line) as WorkerEvent;
      } catch {
        return;
      }
      this.events.push(event);
      const ready = this.waiters.filter((w) => w.test(event));
      this.waiters = this.waiters.filter((w) => !w.test(event));
      for (const w of ready) w.wake(event);
    });
  }

  /** Starts the worker and resolves once its first heartbeat is in. */
  static async start(spec: WorkerSpec): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [WORKER_MAIN, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "pipe"] });
    const worker = new WorkerProcess(spec, child);
    await worker.waitFor((e) => e.event === "started");
    return worker;
  }

  /**
   * Resolves with the first event that passes `test`, among those from the `since`-th on (all, by
   * default; `events.length` for only events still to come).
   */
  waitFor(
    test: (event: WorkerEvent) => boolean,
    { since = 0, timeoutMs = WAIT_TIMEOUT_MS }: { since?: number; timeoutMs?: number } = {},
  ): Promise<WorkerEvent> {
    const seen = this.events.slice(since).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolveEvent, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`worker ${this.spec.workerId}: no such event in ${timeoutMs} ms; stderr:\n${this.stderr.join("")}`),
        );
      }, timeoutMs);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`worker ${this.spec.workerId} exited (${code ?? signal}):\n${this.stderr.join("")}`));
      });
      this.waiters.push({
        test,
        wake: (event) => {
          clearTimeout(timer);
          resolveEvent(event);
        },
      });
    });
  }

  /** Everything the worker wrote to its output file so far. */
  async lines(): Promise<WorkerLine[]> {
    const text = await readFile(this.spec.outFile, "utf8").catch(() => "");
    return parseWorkerLines(text);
  }
}

export function parseWorkerLines(text: string): WorkerLine[] {
  const out: WorkerLine[] = [];
  for (const line of text.split("\n")) {
    const [kind, shardId, sequenceNumber, partitionKey, atMs, ...data] = line.split(" ");
    if (kind === "P" && shardId && sequenceNumber && partitionKey !== undefined && atMs !== undefined) {
      out.push({ kind, shardId, sequenceNumber, partitionKey, atMs: Number(atMs), data: data.join(" ") });
    } else if (kind === "C" && shardId && sequenceNumber) {
      out.push({ kind, shardId, sequenceNumber });
    }
  }
  return out;
}

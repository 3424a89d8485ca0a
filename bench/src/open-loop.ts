import type { EddyClient, PutRecordsEntry } from "@eddy/client";
import { epochNowMs, inWindow, sleepUntil, type Schedule } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs } from "./histogram.js";
import type { OpenLoopPutConfig, SendTimeline, WorkerResult } from "./ipc.js";
import type { PayloadPool } from "./payload.js";
import { cpuDuringWindowMs, ErrorTally, type ProgressCounter } from "./worker-runtime.js";

/** Distinct messages kept per error name in a timeline: enough to see the kinds, bounded. */
const ERROR_SAMPLES_PER_NAME = 3;

/**
 * PutRecord at a fixed rate, open loop; with `batchRecords` > 1, each send is one PutRecords call of that
 * many records instead. Send i goes to `clients[i % n]` (one per broker). Send i is due at `first + i * interval` whatever happened to the earlier ones. A
 * timer wakes when the next send is due (on Node's 1 ms timer clock) and issues every send due by then,
 * so a send leaves up to about 1 ms late; the send-lag histogram shows how late it really was. Latency
 * (one sample per call) runs from when a send was due, not from when it went out: a broker that stalls
 * shows its stall in every send it delayed (no coordinated omission).
 *
 * Two figures, two rules: latency covers the sends *due* within the window, however late they are
 * answered (all are awaited; the client's deadline bounds them); the achieved rate counts the
 * acknowledgements *arriving* within the window, which is what the broker actually sustained.
 */
export function runOpenLoop(
  clients: readonly EddyClient[],
  config: OpenLoopPutConfig,
  payloads: PayloadPool,
  schedule: Schedule,
  progress: ProgressCounter,
): Promise<WorkerResult> {
  return new OpenLoopSender(clients, config, payloads, schedule, progress).run();
}

class OpenLoopSender {
  private readonly intervalMs: number;
  private readonly firstDueAtMs: number;
  private readonly latency = newLatencyHistogram();
  private readonly sendLag = newLatencyHistogram();
  private readonly errors = new ErrorTally();
  private readonly counts = { records: 0, calls: 0, failedRecords: 0, failedCalls: 0 };
  private readonly timeline: SendTimeline | undefined;
  private nextSendIndex = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished: () => void = () => {};

  constructor(
    private readonly clients: readonly EddyClient[],
    private readonly config: OpenLoopPutConfig,
    private readonly payloads: PayloadPool,
    private readonly schedule: Schedule,
    private readonly progress: ProgressCounter,
  ) {
    this.intervalMs = 1000 / config.callsPerSec;
    this.firstDueAtMs = schedule.loadStartAtMs + config.phaseOffsetMs;
    if (config.recordTimeline) this.timeline = { dueAtMs: [], sentAtMs: [], doneAtMs: [], error: [], errorSamples: {} };
  }

  async run(): Promise<WorkerResult> {
    const cpuMs = cpuDuringWindowMs(this.schedule);
    await sleepUntil(this.schedule.loadStartAtMs);
    await new Promise<void>((resolve) => {
      this.finished = resolve;
      this.pump();
    });
    return {
      ...this.counts,
      errors: this.errors.counts,
      latencyHistogram: encodeHistogram(this.latency),
      sendLagHistogram: encodeHistogram(this.sendLag),
      cpuMs: await cpuMs,
      ...(this.timeline ? { timeline: this.timeline } : {}),
    };
  }

  private dueAtMs(sendIndex: number): number {
    return this.firstDueAtMs + sendIndex * this.intervalMs;
  }

  /** Issues every send that is due (within the in-flight cap), then sleeps until the next one is. */
  private pump(): void {
    this.timer = undefined;
    const nowMs = epochNowMs();
    for (;;) {
      const dueAtMs = this.dueAtMs(this.nextSendIndex);
      if (dueAtMs >= this.schedule.measureEndAtMs) return this.finishWhenDrained();
      if (dueAtMs > nowMs || this.inFlight >= this.config.inFlightMax) break;
      void this.send(this.nextSendIndex, dueAtMs);
      this.nextSendIndex += 1;
    }
    // At the cap, the next answer pumps again; otherwise wake when the next send is due. Whole
    // milliseconds, rounded up: Node keeps one timer list per distinct duration, timers fire on a 1 ms
    // clock anyway, and waking early would only cost a second wake-up (CPU is what this machine lacks).
    if (this.inFlight < this.config.inFlightMax) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(this.dueAtMs(this.nextSendIndex) - nowMs)));
    }
  }

  private async send(sendIndex: number, dueAtMs: number): Promise<void> {
    this.inFlight += 1;
    const sentAtMs = epochNowMs();
    if (inWindow(this.schedule, dueAtMs)) recordLatencyMs(this.sendLag, sentAtMs - dueAtMs);
    const client = this.clients[sendIndex % this.clients.length]!;
    try {
      const refusedErrorCodes = await this.put(client, dueAtMs);
      const answeredAtMs = epochNowMs();
      this.acknowledged(dueAtMs, answeredAtMs, refusedErrorCodes);
      this.noteInTimeline(dueAtMs, sentAtMs, answeredAtMs, null);
    } catch (error) {
      if (inWindow(this.schedule, dueAtMs)) {
        this.counts.failedCalls += 1;
        this.errors.addError(error);
      }
      this.noteInTimeline(dueAtMs, sentAtMs, epochNowMs(), error);
    } finally {
      this.inFlight -= 1;
      this.afterAnswer();
    }
  }

  /** One call: PutRecord for one record, PutRecords for more. Resolves with the refused records' error names. */
  private async put(client: EddyClient, dueAtMs: number): Promise<string[]> {
    const { streamName, batchRecords } = this.config;
    if (batchRecords === 1) {
      await client.putRecord({ streamName, ...this.record(dueAtMs) });
      return [];
    }
    const records = Array.from({ length: batchRecords }, () => this.record(dueAtMs));
    const output = await client.putRecords({ streamName, records });
    return output.records.flatMap((entry) => entry.errorCode ?? []);
  }

  private record(dueAtMs: number): PutRecordsEntry {
    const data = this.config.embedSendTime ? this.payloads.dataStamped(dueAtMs) : this.payloads.data();
    return { partitionKey: this.payloads.partitionKey(), data };
  }

  /**
   * An answered call. Its latency counts even if some of its records were refused (they are counted and
   * named apart); its accepted records count towards the achieved rate if the answer came within the window.
   */
  private acknowledged(dueAtMs: number, answeredAtMs: number, refusedErrorCodes: readonly string[]): void {
    const acceptedRecords = this.config.batchRecords - refusedErrorCodes.length;
    this.progress.records += acceptedRecords;
    if (inWindow(this.schedule, dueAtMs)) {
      recordLatencyMs(this.latency, answeredAtMs - dueAtMs);
      this.counts.failedRecords += refusedErrorCodes.length;
      for (const name of refusedErrorCodes) this.errors.add(name);
    }
    if (inWindow(this.schedule, answeredAtMs)) {
      this.counts.records += acceptedRecords;
      this.counts.calls += 1;
    }
  }

  /** `failure`: what the call threw; null for an answered call. */
  private noteInTimeline(dueAtMs: number, sentAtMs: number, doneAtMs: number, failure: unknown): void {
    if (!this.timeline) return;
    const name = failure === null ? null : failure instanceof Error ? failure.name : "UnknownError";
    this.timeline.dueAtMs.push(dueAtMs);
    this.timeline.sentAtMs.push(sentAtMs);
    this.timeline.doneAtMs.push(doneAtMs);
    this.timeline.error.push(name);
    if (name === null) return;
    const samples = (this.timeline.errorSamples[name] ??= []);
    const message = failure instanceof Error ? failure.message : String(failure);
    if (samples.length < ERROR_SAMPLES_PER_NAME && !samples.some((sample) => sample.message === message))
      samples.push({ message, atMs: doneAtMs });
  }

  private afterAnswer(): void {
    const allSent = this.dueAtMs(this.nextSendIndex) >= this.schedule.measureEndAtMs;
    if (allSent) this.finishWhenDrained();
    else if (this.timer === undefined) this.pump();
  }

  private finishWhenDrained(): void {
    if (this.inFlight === 0) this.finished();
  }
}

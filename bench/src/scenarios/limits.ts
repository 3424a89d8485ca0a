/**
 * The limits scenario: a PROVISIONED one-shard stream on one broker with Kinesis's per-shard limits, driven
 * well over each limit from separate processes, and what the shard accepted compared with the limit. Each
 * case overdrives one limit so that it alone binds:
 *
 *   writes, small records   records/s binds (1,000 × 132 B is far under 1 MiB/s)
 *   writes, 64 KiB records  bytes/s binds (1 MiB/s is 16 records/s)
 *   GetRecords, Limit 1     calls/s binds (5 calls × 64 KiB is far under 2 MiB/s)
 *   GetRecords, 1 MiB/call  bytes/s binds (2 MiB/s is 2 calls/s)
 *   SubscribeToShard × 2    each subscriber's own 2 MiB/s
 *
 * The read cases need a backlog: it is put while the stream is still ON_DEMAND (so at the broker's speed,
 * not at 1 MiB/s), then the stream is switched to PROVISIONED and the readers start from TRIM_HORIZON.
 */
import { EddyClient } from "@eddy/client";
import { DEFAULT_SHARD_LIMITS, type ShardLimits } from "@eddy/core";
import type { Cleanups } from "../bounded.js";
import { BrokerProcess, brokerArgs, createStream } from "../broker.js";
import { epochNowMs, sleepUntil } from "../clock.js";
import type { Deliveries, LimitsReadConfig, OpenLoopPutConfig, WorkerResult } from "../ipc.js";
import { driveLoad } from "../load.js";
import type { LimitsSettings } from "../options.js";
import { PayloadPool } from "../payload.js";
import type { CaseReport } from "../runner.js";
import type { BenchCase, Column, Scenario } from "../scenario.js";
import { RUN_OVERHEAD_BOUND_MS, STREAM_NAME, startWorkers, totalOf } from "./common.js";

const MiB = 1024 * 1024;
/** What the broker charges a write for besides the data: the partition key (PayloadPool's are 32 hex chars). */
const PARTITION_KEY_BYTES = 32;
/** The case passes when accepted ÷ limit is within this of 1 (the issue's 5 %). */
const TOLERANCE = 0.05;

const SMALL_RECORD_BYTES = 100;
const SMALL_RECORDS_PER_CALL = 10;
const LARGE_RECORD_BYTES = 64 * 1024;
const WRITE_PRODUCERS = 2;
const POLLING_READERS = 3;
/** Each polling reader's calls/s: the readers together offer 3 × the 5 calls/s limit. */
const READER_CALLS_PER_SEC = DEFAULT_SHARD_LIMITS.readCallsPerSec;
/** GetRecords' Limit in the calls case: 64 KiB a call, 5 calls/s are 320 KiB/s, far under 2 MiB/s. */
const CALLS_CASE_LIMIT_RECORDS = 1;
/** GetRecords' Limit in the bytes case: 1 MiB a call, so 2 MiB/s binds at 2 of the 5 calls/s. */
const BYTES_CASE_LIMIT_RECORDS = MiB / LARGE_RECORD_BYTES;
const SUBSCRIBERS = 2;
/** Records of the backlog per PutRecords (1 MiB). */
const PREFILL_RECORDS_PER_CALL = 16;
/** The pre-fill's own bound on top of what its size needs at this rate (it runs ON_DEMAND, ~10 MB/s here). */
const PREFILL_BOUND_MS = 30_000;
const PREFILL_BOUND_BYTES_PER_SEC = 2 * MiB;
/** Where eddy_throttled_total's samples start: `eddy_throttled_total{stream="bench",operation="..."} n`. */
const THROTTLED_METRIC = "eddy_throttled_total{";

type LimitKind = "writeRecords" | "writeBytes" | "readCalls" | "readBytes" | "subscriberBytes";

export interface LimitsCase extends BenchCase {
  readonly limit: LimitKind;
  /** The bound limit, per second, in its own unit (records, bytes or calls). */
  readonly limitPerSec: number;
  /** What the load offers of that unit, per second (for reads: at most, if every call were accepted). */
  readonly offeredPerSec: number;
}

export type LimitsFigure =
  | "limitPerSec"
  | "offeredVsLimit"
  | "acceptedVsLimit"
  | "acceptedRecordsPerSec"
  | "acceptedMiBPerSec"
  | "acceptedCallsPerSec"
  | "throttledPerSec"
  | "brokerThrottledPerSec"
  | "withinTolerance";

const COLUMNS: readonly Column<LimitsFigure>[] = [
  { key: "limitPerSec", label: "limit /s (case's unit)", digits: 0 },
  { key: "offeredVsLimit", label: "offered ÷ limit", digits: 2 },
  { key: "acceptedVsLimit", label: "accepted ÷ limit", digits: 3 },
  { key: "acceptedRecordsPerSec", label: "accepted records/s", digits: 0 },
  { key: "acceptedMiBPerSec", label: "accepted MiB/s", digits: 3 },
  { key: "acceptedCallsPerSec", label: "accepted calls/s", digits: 2 },
  { key: "throttledPerSec", label: "throttled /s (writes: records, reads: calls)", digits: 1 },
  { key: "brokerThrottledPerSec", label: "broker throttled calls/s", digits: 1 },
  { key: "withinTolerance", label: "within 5 % (1 = yes)", digits: 0 },
];

function limitsCases(limits: ShardLimits, overdrive: number): LimitsCase[] {
  const largeRecordChargeBytes = LARGE_RECORD_BYTES + PARTITION_KEY_BYTES;
  return [
    {
      name: `write records/s (${SMALL_RECORD_BYTES} B records)`,
      shardCount: 1,
      limit: "writeRecords",
      limitPerSec: limits.writeRecordsPerSec,
      offeredPerSec: limits.writeRecordsPerSec * overdrive,
    },
    {
      name: "write bytes/s (64 KiB records)",
      shardCount: 1,
      limit: "writeBytes",
      limitPerSec: limits.writeBytesPerSec,
      // Whole records: the offered rate is rounded to records/s.
      offeredPerSec:
        Math.round((limits.writeBytesPerSec * overdrive) / largeRecordChargeBytes) * largeRecordChargeBytes,
    },
    {
      name: `GetRecords calls/s (Limit ${CALLS_CASE_LIMIT_RECORDS})`,
      shardCount: 1,
      limit: "readCalls",
      limitPerSec: limits.readCallsPerSec,
      offeredPerSec: POLLING_READERS * READER_CALLS_PER_SEC,
    },
    {
      name: "GetRecords bytes/s (1 MiB calls)",
      shardCount: 1,
      limit: "readBytes",
      limitPerSec: limits.readBytesPerSec,
      offeredPerSec: POLLING_READERS * READER_CALLS_PER_SEC * BYTES_CASE_LIMIT_RECORDS * LARGE_RECORD_BYTES,
    },
    {
      name: `subscriber bytes/s (× ${SUBSCRIBERS})`,
      shardCount: 1,
      limit: "subscriberBytes",
      limitPerSec: limits.subscriberBytesPerSec,
      // A subscriber asks for everything: the backlog is its offer, far over the limit.
      offeredPerSec: Number.NaN,
    },
  ];
}

export function limitsScenario(settings: LimitsSettings): Scenario<LimitsFigure, LimitsCase> {
  const limits = DEFAULT_SHARD_LIMITS;
  const args = brokerArgs(settings.fsync, [
    "--shard-write-records-per-sec",
    String(limits.writeRecordsPerSec),
    "--shard-write-bytes-per-sec",
    String(limits.writeBytesPerSec),
    "--shard-read-calls-per-sec",
    String(limits.readCallsPerSec),
    "--shard-read-bytes-per-sec",
    String(limits.readBytesPerSec),
    "--subscriber-bytes-per-sec",
    String(limits.subscriberBytesPerSec),
  ]);
  const loadMs = settings.warmupMs + settings.durationMs;
  // Enough for the fastest reader to read at the limit through warm-up and window, with its burst, and more.
  const backlogBytes = Math.ceil((limits.readBytesPerSec * loadMs * 1.5) / 1000 + 4 * MiB);
  const prefillBoundMs = PREFILL_BOUND_MS + (backlogBytes / PREFILL_BOUND_BYTES_PER_SEC) * 1000;
  return {
    name: "limits",
    summary:
      `Per-shard limits of a PROVISIONED 1-shard stream (the broker's defaults, Kinesis's: ${limits.writeRecordsPerSec} records/s ` +
      `and ${limits.writeBytesPerSec / MiB} MiB/s of writes, ${limits.readCallsPerSec} GetRecords calls/s and ` +
      `${limits.readBytesPerSec / MiB} MiB/s of reads, ${limits.subscriberBytesPerSec / MiB} MiB/s per subscriber), each driven ` +
      `over its limit from separate processes (writes: ${WRITE_PRODUCERS} producers offering ${settings.overdrive}×, open loop; ` +
      `GetRecords: ${POLLING_READERS} readers at ${READER_CALLS_PER_SEC} calls/s each; ${SUBSCRIBERS} subscribers from TRIM_HORIZON): ` +
      `what the shard accepted ÷ the limit, and the throttles; ` +
      `a case passes within ±${TOLERANCE * 100} %. Reads from a ${(backlogBytes / MiB).toFixed(0)} MiB backlog ` +
      `(put while ON_DEMAND). Broker --fsync ${settings.fsync}.`,
    runDescription:
      `fresh broker and stream, warm-up ${settings.warmupMs / 1000} s (drains the buckets' one-second bursts), ` +
      `measured window ${settings.durationMs / 1000} s`,
    settings: {
      // --record-bytes, --producers and --shards do not apply: each case has its own (below).
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
      runs: settings.runs,
      fsync: settings.fsync,
      runTimeoutMs: settings.runTimeoutMs,
      overdrive: settings.overdrive,
      shardCount: 1,
      brokerArgs: args,
      streamMode: "PROVISIONED",
      shardLimits: limits,
      tolerance: TOLERANCE,
      writeProducers: WRITE_PRODUCERS,
      smallRecordBytes: SMALL_RECORD_BYTES,
      smallRecordsPerCall: SMALL_RECORDS_PER_CALL,
      largeRecordBytes: LARGE_RECORD_BYTES,
      partitionKeyBytes: PARTITION_KEY_BYTES,
      pollingReaders: POLLING_READERS,
      readerCallsPerSec: READER_CALLS_PER_SEC,
      callsCaseLimitRecords: CALLS_CASE_LIMIT_RECORDS,
      bytesCaseLimitRecords: BYTES_CASE_LIMIT_RECORDS,
      subscribers: SUBSCRIBERS,
      backlogBytes,
    },
    columns: COLUMNS,
    throughputChart: {
      columns: ["offeredVsLimit", "acceptedVsLimit"],
      valueAxisLabel: "÷ the case's limit (1 = at it)",
    },
    cases: limitsCases(limits, settings.overdrive),
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs: settings.runTimeoutMs ?? loadMs + RUN_OVERHEAD_BOUND_MS + prefillBoundMs,
    async runOnce(benchCase, label, cleanups) {
      const broker = await BrokerProcess.start({ args });
      cleanups.add(() => broker.destroy());
      const isWrite = benchCase.limit === "writeRecords" || benchCase.limit === "writeBytes";
      const [shardId] = await createStream(broker.endpoint, STREAM_NAME, 1, isWrite ? "PROVISIONED" : "ON_DEMAND");
      if (!isWrite) await prefillThenProvision(broker.endpoint, backlogBytes, prefillBoundMs);
      const workers = isWrite
        ? startWriters(cleanups, benchCase, broker.endpoint)
        : startReaders(cleanups, benchCase, broker.endpoint, shardId!);
      const throttled = { before: Number.NaN, after: Promise.resolve(Number.NaN) };
      const load = await driveLoad({
        label,
        adminUrls: [broker.adminUrl],
        workers,
        producers: workers,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        tailMs: 0,
        atWindowStart: async () => {
          throttled.before = await scrapeThrottled(broker.adminUrl);
        },
        atSchedule: (schedule) => {
          // Awaited once the load is done: readers may report before this scrape has answered.
          throttled.after = sleepUntil(schedule.measureEndAtMs)
            .then(() => scrapeThrottled(broker.adminUrl))
            .catch(() => Number.NaN);
        },
      });
      const throttledInWindow = (await throttled.after) - throttled.before;
      const windowSec = settings.durationMs / 1000;
      const measured = isWrite
        ? writeFigures(benchCase, load.results, windowSec)
        : readFigures(benchCase, load.results, windowSec);
      const acceptedVsLimit = measured.acceptedPerSec / benchCase.limitPerSec;
      const total = totalOf(load.results);
      return {
        figures: {
          limitPerSec: benchCase.limitPerSec,
          offeredVsLimit: benchCase.offeredPerSec / benchCase.limitPerSec,
          acceptedVsLimit,
          acceptedRecordsPerSec: measured.recordsPerSec,
          acceptedMiBPerSec: measured.mibPerSec,
          acceptedCallsPerSec: measured.callsPerSec,
          throttledPerSec: measured.throttledPerSec,
          brokerThrottledPerSec: throttledInWindow / windowSec,
          withinTolerance: Math.abs(acceptedVsLimit - 1) <= TOLERANCE ? 1 : 0,
        },
        errors: total.errors,
        histograms: { [histogramNameOf(benchCase)]: total.latencyEncoded },
        ...(measured.notes.length > 0 ? { notes: measured.notes } : {}),
      };
    },
    check: (cases) => problemsOf(cases),
  };
}

/** What the workers' histogram holds: put or GetRecords call latency, or the gap between a subscriber's events. */
function histogramNameOf(benchCase: LimitsCase): string {
  if (benchCase.limit === "writeRecords" || benchCase.limit === "writeBytes") return "putLatencyUs";
  return benchCase.limit === "subscriberBytes" ? "eventGapUs" : "getRecordsLatencyUs";
}

interface MeasuredFigures {
  /** In the case's unit: what is compared with the limit. */
  readonly acceptedPerSec: number;
  readonly recordsPerSec: number;
  readonly mibPerSec: number;
  readonly callsPerSec: number;
  /** Writes: records refused per second; reads: calls refused per second; subscribers: NaN. */
  readonly throttledPerSec: number;
  readonly notes: string[];
}

/**
 * Writes: what was acknowledged within the window ÷ the window. A bucket drained by the warm-up refills at
 * the limit, and a call takes at most 10 records (resp. 64 KiB), so counting whole calls misses by < 1 %.
 */
function writeFigures(benchCase: LimitsCase, results: readonly WorkerResult[], windowSec: number): MeasuredFigures {
  const total = totalOf(results);
  const recordBytes = benchCase.limit === "writeRecords" ? SMALL_RECORD_BYTES : LARGE_RECORD_BYTES;
  const recordsPerSec = total.records / windowSec;
  const chargedBytesPerSec = recordsPerSec * (recordBytes + PARTITION_KEY_BYTES);
  const recordsPerCall = benchCase.limit === "writeRecords" ? SMALL_RECORDS_PER_CALL : 1;
  return {
    acceptedPerSec: benchCase.limit === "writeRecords" ? recordsPerSec : chargedBytesPerSec,
    recordsPerSec,
    mibPerSec: chargedBytesPerSec / MiB,
    callsPerSec: total.calls / windowSec,
    throttledPerSec: (total.failedRecords + total.failedCalls * recordsPerCall) / windowSec,
    notes: [],
  };
}

/**
 * Reads: a bucket lets a call (an event) through, charges it, and lets the next through once it has paid,
 * so the rate is what the deliveries carried, but the last, over the time from the first to the last
 * (counting whole calls in the window would be off by up to one call of 1 MiB: 5 % of 10 s at 2 MiB/s).
 * Polling readers share the shard's limit, so their deliveries are merged; subscribers each have their own,
 * and the worst of them is the case's figure.
 */
function readFigures(benchCase: LimitsCase, results: readonly WorkerResult[], windowSec: number): MeasuredFigures {
  const total = totalOf(results);
  const throttledCalls = total.errors["ProvisionedThroughputExceededException"] ?? 0;
  if (benchCase.limit !== "subscriberBytes") {
    const rates = ratesOf(merged(results.map(deliveriesOf)));
    return {
      acceptedPerSec: benchCase.limit === "readCalls" ? rates.callsPerSec : rates.bytesPerSec,
      recordsPerSec: total.records / windowSec,
      mibPerSec: rates.bytesPerSec / MiB,
      callsPerSec: rates.callsPerSec,
      throttledPerSec: throttledCalls / windowSec,
      notes: [
        `${results.length} readers: ${results.map((r) => `${r.calls} calls ok, ${r.failedCalls} refused`).join("; ")}`,
      ],
    };
  }
  const perSubscriber = results.map((r) => ratesOf(deliveriesOf(r)));
  const worst = perSubscriber.reduce((a, b) =>
    Math.abs(b.bytesPerSec / benchCase.limitPerSec - 1) > Math.abs(a.bytesPerSec / benchCase.limitPerSec - 1) ? b : a,
  );
  return {
    acceptedPerSec: worst.bytesPerSec,
    recordsPerSec: total.records / windowSec / results.length,
    mibPerSec: worst.bytesPerSec / MiB,
    callsPerSec: worst.callsPerSec,
    throttledPerSec: Number.NaN,
    notes: [
      `per subscriber: ${perSubscriber.map((r) => `${(r.bytesPerSec / MiB).toFixed(3)} MiB/s in ${r.calls} events`).join("; ")} ` +
        `(the worst is the row's)`,
    ],
  };
}

function deliveriesOf(result: WorkerResult): Deliveries {
  if (!result.deliveries) throw new Error("a limits reader returned no deliveries");
  return result.deliveries;
}

function merged(all: readonly Deliveries[]): Deliveries {
  const pairs = all.flatMap((d) => d.atMs.map((atMs, i) => [atMs, d.bytes[i]!] as const)).sort((a, b) => a[0] - b[0]);
  return { atMs: pairs.map(([atMs]) => atMs), bytes: pairs.map(([, bytes]) => bytes) };
}

/** NaN with fewer than two deliveries: no span to divide by. */
function ratesOf(deliveries: Deliveries): { bytesPerSec: number; callsPerSec: number; calls: number } {
  const count = deliveries.atMs.length;
  const spanSec = count >= 2 ? (deliveries.atMs[count - 1]! - deliveries.atMs[0]!) / 1000 : Number.NaN;
  const bytesButLast = deliveries.bytes.slice(0, -1).reduce((n, b) => n + b, 0);
  return { bytesPerSec: bytesButLast / spanSec, callsPerSec: (count - 1) / spanSec, calls: count };
}

function startWriters(cleanups: Cleanups, benchCase: LimitsCase, endpoint: string) {
  const small = benchCase.limit === "writeRecords";
  const recordBytes = small ? SMALL_RECORD_BYTES : LARGE_RECORD_BYTES;
  const batchRecords = small ? SMALL_RECORDS_PER_CALL : 1;
  const offeredRecordsPerSec = small
    ? benchCase.offeredPerSec
    : benchCase.offeredPerSec / (LARGE_RECORD_BYTES + PARTITION_KEY_BYTES);
  const callsPerSec = offeredRecordsPerSec / batchRecords / WRITE_PRODUCERS;
  return startWorkers(cleanups, WRITE_PRODUCERS, "producer", "put-worker.js", (index): OpenLoopPutConfig => ({
    kind: "open-loop-put",
    endpoints: [endpoint],
    streamName: STREAM_NAME,
    callsPerSec,
    batchRecords,
    phaseOffsetMs: (index * 1000) / callsPerSec / WRITE_PRODUCERS,
    recordBytes,
    embedSendTime: false,
    // Refusals answer at once; only accepted calls wait for the synced write.
    inFlightMax: 1_000,
    recordTimeline: false,
  }));
}

function startReaders(cleanups: Cleanups, benchCase: LimitsCase, endpoint: string, shardId: string) {
  const subscribe = benchCase.limit === "subscriberBytes";
  const count = subscribe ? SUBSCRIBERS : POLLING_READERS;
  return startWorkers(cleanups, count, subscribe ? "subscriber" : "reader", "limits-read-worker.js", (index) => {
    const config: LimitsReadConfig = {
      kind: "limits-read",
      endpoint,
      streamName: STREAM_NAME,
      shardId,
      mode: subscribe ? "subscribe" : "poll",
      callsPerSec: READER_CALLS_PER_SEC,
      getRecordsLimit: benchCase.limit === "readCalls" ? CALLS_CASE_LIMIT_RECORDS : BYTES_CASE_LIMIT_RECORDS,
      phaseOffsetMs: (index * 1000) / READER_CALLS_PER_SEC / POLLING_READERS,
      consumerName: `bench-limits-${index + 1}`,
    };
    return config;
  });
}

/**
 * Puts `backlogBytes` of 64 KiB records while the stream is ON_DEMAND, then makes it PROVISIONED: the
 * readers then find more than they may read at the limit.
 */
async function prefillThenProvision(endpoint: string, backlogBytes: number, boundMs: number): Promise<void> {
  const client = new EddyClient({ endpoint, deadlineMs: 10_000 });
  const deadlineMs = epochNowMs() + boundMs;
  try {
    const payloads = new PayloadPool(LARGE_RECORD_BYTES);
    const calls = Math.ceil(backlogBytes / (LARGE_RECORD_BYTES * PREFILL_RECORDS_PER_CALL));
    for (let call = 0; call < calls; call++) {
      if (epochNowMs() > deadlineMs) throw new Error(`limits: the pre-fill took over ${boundMs} ms`);
      const output = await client.putRecords({
        streamName: STREAM_NAME,
        records: payloads.batch(PREFILL_RECORDS_PER_CALL),
      });
      if (output.failedRecordCount > 0)
        throw new Error(`limits: the pre-fill had ${output.failedRecordCount} records refused`);
    }
    await client.updateStreamMode({ streamName: STREAM_NAME, streamMode: "PROVISIONED" });
    await client.waitForStreamActive(STREAM_NAME);
    const summary = await client.describeStreamSummary({ streamName: STREAM_NAME });
    if (summary.streamMode !== "PROVISIONED") throw new Error(`limits: the stream is still ${summary.streamMode}`);
  } finally {
    client.close();
  }
}

/** eddy_throttled_total over all its labels (this broker has one stream). */
async function scrapeThrottled(adminUrl: string): Promise<number> {
  const response = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${adminUrl}/metrics answered ${response.status}`);
  let sum = 0;
  for (const line of (await response.text()).split("\n")) {
    if (line.startsWith(THROTTLED_METRIC)) sum += Number(line.trim().split(/\s+/).at(-1));
  }
  return sum;
}

/** A case is off when the median of its runs' accepted ÷ limit is off by more than the tolerance. */
function problemsOf(cases: readonly CaseReport<LimitsFigure, LimitsCase>[]): string[] {
  return cases.flatMap(({ benchCase, median }) => {
    const ratio = median.acceptedVsLimit;
    if (Math.abs(ratio - 1) <= TOLERANCE) return [];
    return [
      `${benchCase.name}: accepted ${Number.isFinite(ratio) ? ratio.toFixed(3) : "nothing measurable"} × the limit ` +
        `(median over the runs), outside ${1 - TOLERANCE}..${1 + TOLERANCE}`,
    ];
  });
}

import { setTimeout as sleep } from "node:timers/promises";
import { APPLICATION_DEFAULTS, EddyClient } from "@eddy/client";
import type { ApplicationWorkerConfig, ApplicationWorkerResult, ShardStart } from "../application-ipc.js";
import {
  finishAll,
  startApplicationWorkers,
  waitForWorkers,
  type ApplicationWorkerProcess,
} from "../application-worker-process.js";
import type { Cleanups } from "../bounded.js";
import { brokerActivity, brokerArgs, scrapeBroker } from "../broker.js";
import { epochNowMs, sleepUntil } from "../clock.js";
import { encodeHistogram, mergeHistograms, summarizeMs } from "../histogram.js";
import { busyCores, driveLoad, readMachineCpu } from "../load.js";
import type { ApplicationSettings } from "../options.js";
import { PayloadPool } from "../payload.js";
import { RunProgress } from "../progress.js";
import type { BenchCase, Column, RunOutcome, Scenario } from "../scenario.js";
import { ErrorTally } from "../worker-runtime.js";
import { RUN_OVERHEAD_BOUND_MS, STREAM_NAME, startBrokerWithStream, startWorkers, totalOf } from "./common.js";
import { IN_FLIGHT_MAX_PER_PRODUCER, openLoopProducerConfig } from "./put-latency.js";

const APPLICATION_NAME = "bench-app";

/**
 * Backlog cases: the lease timeout sets the heartbeat interval (a fifth of it, at most 1 s), and the reset
 * that starts the reading reaches each worker on its next heartbeat. At 2 s (the low end) the
 * workers start within 400 ms of each other; at the default 10 s it could be 1 s, half of a backlog run.
 */
const BACKLOG_LEASE_TIMEOUT_MS = 2_000;
/** The latency case: the SDK's default (the heartbeat does not touch the records' path). */
const LATENCY_LEASE_TIMEOUT_MS = APPLICATION_DEFAULTS.leaseTimeoutMs;

/** The pre-fill: PutRecords of this many records, this many calls in flight, from the coordinator. */
const PREFILL_BATCH_RECORDS = 500;
const PREFILL_CONCURRENCY = 4;
const PREFILL_CALL_DEADLINE_MS = 10_000;
/** Calls with refused records (retried) or failed, before the pre-fill gives up. */
const PREFILL_FAILURES_MAX = 100;
const PREFILL_FAILURE_BACKOFF_MS = 50;
/** Pre-filling and reading the backlog are each bounded as if they went at least this fast. */
const BACKLOG_RECORDS_PER_SEC_MIN = 2_000;
const BACKLOG_BOUND_BASE_MS = 30_000;
/** Workers started and the leases spread evenly: a few heartbeats (each at most a fifth of the lease timeout). */
const BALANCE_BOUND_BASE_MS = 30_000;
const BALANCE_BOUND_LEASE_TIMEOUTS = 3;
/** Records sent within the window that are processed later than this after it count as missing. */
const DELIVERY_GRACE_MS = 2_000;
/** A takeover's window lasts at least the lease timeout plus this (and at least --duration). */
const TAKEOVER_SLACK_MS = 5_000;
/** The workers' graceful stop is bounded by 10 s in the worker; this adds the reporting. */
const FINISH_BOUND_MS = 15_000;
const PROGRESS_TICK_MS = 250;

export type ApplicationFigure =
  | "workers"
  | "recordsPerSec"
  | "megabytesPerSec"
  | "startSpreadMs"
  | "processedRecords"
  | "duplicateRecords"
  | "checkpoints"
  | "offeredRecordsPerSec"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "maxMs"
  | "putP99Ms"
  | "missingRecords"
  | "leaseTakenMaxMs"
  | "takeoverFirstMs"
  | "takeoverMaxMs"
  | "replayedRecords"
  | "workersCpuCores"
  | "producersCpuCores"
  | "brokerCpuCores"
  | "otherCpuCores";

const COLUMNS: readonly Column<ApplicationFigure>[] = [
  { key: "workers", label: "workers", digits: 0 },
  { key: "recordsPerSec", label: "records/s", digits: 0 },
  { key: "megabytesPerSec", label: "MB/s", digits: 1 },
  { key: "startSpreadMs", label: "start spread ms", digits: 0 },
  { key: "processedRecords", label: "processed", digits: 0 },
  { key: "duplicateRecords", label: "duplicates", digits: 0 },
  { key: "checkpoints", label: "checkpoints", digits: 0 },
  { key: "offeredRecordsPerSec", label: "offered records/s", digits: 0 },
  { key: "p50Ms", label: "p50 ms", digits: 2 },
  { key: "p99Ms", label: "p99 ms", digits: 2 },
  { key: "p999Ms", label: "p99.9 ms", digits: 2 },
  { key: "maxMs", label: "max ms", digits: 1 },
  { key: "putP99Ms", label: "put p99 ms", digits: 2 },
  { key: "missingRecords", label: "missing", digits: 0 },
  { key: "leaseTakenMaxMs", label: "lease taken ms", digits: 0 },
  { key: "takeoverFirstMs", label: "takeover first ms", digits: 0 },
  { key: "takeoverMaxMs", label: "takeover max ms", digits: 0 },
  { key: "replayedRecords", label: "replayed", digits: 0 },
  { key: "workersCpuCores", label: "workers CPU", digits: 2 },
  { key: "producersCpuCores", label: "producers CPU", digits: 2 },
  { key: "brokerCpuCores", label: "broker CPU", digits: 2 },
  { key: "otherCpuCores", label: "other CPU", digits: 2 },
];

export interface ApplicationCase extends BenchCase {
  /** backlog: read a pre-filled stream; latency: a fixed put rate; takeover: the same, and a worker killed. */
  readonly kind: "backlog" | "latency" | "takeover";
  readonly workers: number;
  readonly leaseTimeoutMs: number;
}

type Figures = Record<ApplicationFigure, number>;

/** Every figure "–": each case fills in its own. */
const NO_FIGURES: Figures = Object.fromEntries(COLUMNS.map((c) => [c.key, Number.NaN])) as Figures;

/**
 * Consumer applications on one broker: the SDK's `Application`, one forked process per worker, with a
 * processor that counts (application-worker.ts). Three questions, each on a fresh broker and stream:
 * how fast 1, 2, 3 workers read a backlog; how long a record takes from its put to its processRecords call
 * at a fixed rate; and how long a SIGKILLed worker's shards stay unprocessed.
 */
export function applicationScenario(settings: ApplicationSettings): Scenario<ApplicationFigure, ApplicationCase> {
  const args = brokerArgs(settings.fsync);
  const pacedWorkers = Math.max(...settings.workerCounts);
  const cases = applicationCases(settings, pacedWorkers);
  const runBoundMs = Math.max(...cases.map((c) => caseBoundMs(c, settings)));
  return {
    name: "application",
    summary:
      `Consumer applications (the SDK's Application, one process per worker, a processor that counts) on one ` +
      `broker (--fsync ${settings.fsync}), ON_DEMAND stream, records of ${settings.recordBytes} B with random keys. ` +
      `"backlog": ${settings.prefillRecords} records put first, then read from TRIM_HORIZON by the workers, ` +
      `leases already spread (lease timeout ${BACKLOG_LEASE_TIMEOUT_MS} ms); records/s = records processed / ` +
      `(last processRecords end - first processRecords start, over all workers). "at n/s": ` +
      `${settings.rateRecordsPerSec} records/s put (${callName(settings.batchRecords)}, open loop, ` +
      `${settings.producers} producer process(es)) while ${pacedWorkers} workers hold every shard; latency = ` +
      `processRecords call time - the record's send time. "takeover": the same load; after the warm-up the worker ` +
      `holding the most shards is SIGKILLed; times in ms from the kill until a survivor was given each of its ` +
      `shards' leases and until it processed the shard's first record.`,
    runDescription:
      `fresh broker and stream per case. backlog: pre-fill, start the workers (LATEST), wait until the leases ` +
      `are spread, reset the application to TRIM_HORIZON, wait until every record is processed. at n/s and ` +
      `takeover: start the workers, wait until the leases are spread, warm-up ${settings.warmupMs / 1000} s, ` +
      `window ${settings.durationMs / 1000} s (takeover: at least the lease timeout + ${TAKEOVER_SLACK_MS / 1000} s, ` +
      `from the kill), ${DELIVERY_GRACE_MS / 1000} s grace`,
    settings: {
      ...settings,
      brokerArgs: args,
      streamMode: "ON_DEMAND",
      applicationName: APPLICATION_NAME,
      pacedWorkers,
      backlogLeaseTimeoutMs: BACKLOG_LEASE_TIMEOUT_MS,
      latencyLeaseTimeoutMs: LATENCY_LEASE_TIMEOUT_MS,
      applicationDefaults: APPLICATION_DEFAULTS,
      prefill: { batchRecords: PREFILL_BATCH_RECORDS, concurrency: PREFILL_CONCURRENCY },
      deliveryGraceMs: DELIVERY_GRACE_MS,
      takeoverSlackMs: TAKEOVER_SLACK_MS,
      inFlightMaxPerProducer: IN_FLIGHT_MAX_PER_PRODUCER,
    },
    columns: COLUMNS,
    cases,
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs: settings.runTimeoutMs ?? runBoundMs,
    async runOnce(benchCase, label, cleanups) {
      const { broker, shardIds } = await startBrokerWithStream(cleanups, args, benchCase.shardCount);
      const run: CaseRun = { settings, benchCase, label, cleanups, endpoint: broker.endpoint, shardIds };
      const adminUrl = broker.adminUrl;
      if (benchCase.kind === "backlog") return runBacklog(run, adminUrl);
      return runPaced(run, adminUrl);
    },
  };
}

function applicationCases(settings: ApplicationSettings, pacedWorkers: number): ApplicationCase[] {
  return settings.shardCounts.flatMap((shardCount) => {
    const shards = `${shardCount} shard${shardCount === 1 ? "" : "s"}`;
    const workers = (n: number): string => `${n} worker${n === 1 ? "" : "s"}`;
    const backlog = settings.workerCounts.map((n): ApplicationCase => ({
      name: `${shards}, backlog, ${workers(n)}`,
      shardCount,
      kind: "backlog",
      workers: n,
      leaseTimeoutMs: BACKLOG_LEASE_TIMEOUT_MS,
    }));
    const latency: ApplicationCase = {
      name: `${shards}, at ${settings.rateRecordsPerSec}/s, ${workers(pacedWorkers)}`,
      shardCount,
      kind: "latency",
      workers: pacedWorkers,
      leaseTimeoutMs: LATENCY_LEASE_TIMEOUT_MS,
    };
    // A takeover needs a survivor.
    const takeovers =
      pacedWorkers < 2
        ? []
        : settings.leaseTimeoutsMs.map((leaseTimeoutMs): ApplicationCase => ({
            name: `${shards}, takeover, ${workers(pacedWorkers)}, lease ${leaseTimeoutMs} ms`,
            shardCount,
            kind: "takeover",
            workers: pacedWorkers,
            leaseTimeoutMs,
          }));
    return [...backlog, latency, ...takeovers];
  });
}

function backlogBoundMs(records: number): number {
  return BACKLOG_BOUND_BASE_MS + (records / BACKLOG_RECORDS_PER_SEC_MIN) * 1000;
}

function balanceBoundMs(leaseTimeoutMs: number): number {
  return BALANCE_BOUND_BASE_MS + BALANCE_BOUND_LEASE_TIMEOUTS * leaseTimeoutMs;
}

function windowMsOf(benchCase: ApplicationCase, settings: ApplicationSettings): number {
  if (benchCase.kind !== "takeover") return settings.durationMs;
  return Math.max(settings.durationMs, benchCase.leaseTimeoutMs + TAKEOVER_SLACK_MS);
}

/** The hard bound of one run of the case: every wait in it, plus broker start and clean-up. */
function caseBoundMs(benchCase: ApplicationCase, settings: ApplicationSettings): number {
  const common = RUN_OVERHEAD_BOUND_MS + balanceBoundMs(benchCase.leaseTimeoutMs) + FINISH_BOUND_MS;
  if (benchCase.kind === "backlog") return common + 2 * backlogBoundMs(settings.prefillRecords);
  return common + settings.warmupMs + windowMsOf(benchCase, settings) + DELIVERY_GRACE_MS;
}

/** What one run of a case works with. */
interface CaseRun {
  readonly settings: ApplicationSettings;
  readonly benchCase: ApplicationCase;
  readonly label: string;
  readonly cleanups: Cleanups;
  readonly endpoint: string;
  readonly shardIds: readonly string[];
}

function workerConfigs(run: CaseRun, initialPosition: "TRIM_HORIZON" | "LATEST", stampedRecords: boolean) {
  return (index: number): ApplicationWorkerConfig => ({
    endpoint: run.endpoint,
    streamName: STREAM_NAME,
    applicationName: APPLICATION_NAME,
    workerId: `worker-${index + 1}`,
    leaseTimeoutMs: run.benchCase.leaseTimeoutMs,
    initialPosition,
    stampedRecords,
  });
}

/**
 * Backlog: the stream is filled first; the workers start on an application created at LATEST, so that
 * they take their leases (and hand them around until they are spread evenly) with nothing to read. Then a
 * forced reset to TRIM_HORIZON frees every lease; the next heartbeat gives them out again evenly over
 * the live workers at once, and each worker starts reading on its own next heartbeat. Timing from the
 * first record processed to the last.
 */
async function runBacklog(run: CaseRun, adminUrl: string): Promise<RunOutcome<ApplicationFigure>> {
  const { settings, benchCase, label, cleanups, shardIds } = run;
  const prefill = await prefillStream(run.endpoint, settings.prefillRecords, settings.recordBytes, label);
  const workers = startApplicationWorkers(cleanups, benchCase.workers, workerConfigs(run, "LATEST", false));
  await startedAndSpread(workers, shardIds, benchCase.leaseTimeoutMs, label);
  const early = processedBy(workers);
  if (early > 0) throw new Error(`${label}: ${early} records processed before the reset (at LATEST, none should be)`);

  const client = new EddyClient({ endpoint: run.endpoint });
  cleanups.add(async () => client.close());
  const [machineBefore, brokerBefore] = [await readMachineCpu(), await scrapeBroker(adminUrl)];
  const resetAtMs = epochNowMs();
  await client.resetApplication({
    streamName: STREAM_NAME,
    applicationName: APPLICATION_NAME,
    position: { type: "TRIM_HORIZON" },
    force: true,
  });
  const stopProgress = countProgress(label, "processing", prefill.records, () => processedBy(workers));
  try {
    await waitForWorkers(
      workers,
      `${label}: processing ${prefill.records} records`,
      backlogBoundMs(prefill.records),
      () => processedBy(workers) >= prefill.records,
      () => `processed ${processedBy(workers)}; ${holdings(workers)}`,
    );
  } finally {
    stopProgress();
  }
  const [brokerAfter, machineAfter] = [await scrapeBroker(adminUrl), await readMachineCpu()];
  const doneAtMs = epochNowMs();
  const results = await finishAll(workers);

  const firsts = results.flatMap((r) => r.firstProcessedAtMs ?? []);
  const lasts = results.flatMap((r) => r.lastProcessedAtMs ?? []);
  const spanMs = Math.max(...lasts) - Math.min(...firsts);
  const processed = sum(results, (r) => r.processedRecords);
  // CPU over reset → done (the workers idle before their first record; the broker's share is its reads).
  const cpuIntervalMs = doneAtMs - resetAtMs;
  const broker = brokerActivity(brokerBefore, brokerAfter);
  const workersCpuCores = sum(results, (r) => r.cpuProcessingMs) / cpuIntervalMs;
  return {
    figures: {
      ...NO_FIGURES,
      workers: benchCase.workers,
      recordsPerSec: (processed / spanMs) * 1000,
      megabytesPerSec: sum(results, (r) => r.processedBytes) / spanMs / 1000,
      startSpreadMs: Math.max(...firsts) - Math.min(...firsts),
      processedRecords: processed,
      duplicateRecords: processed - prefill.records,
      checkpoints: sum(results, (r) => r.checkpoints),
      workersCpuCores,
      brokerCpuCores: broker.cpuCores,
      otherCpuCores: busyCores(machineBefore, machineAfter) - broker.cpuCores - workersCpuCores,
    },
    errors: { ...prefixed("prefill.", prefill.errors), ...workerErrors(results) },
    histograms: {},
    notes: [
      `pre-filled ${prefill.records} records in ${(prefill.durationMs / 1000).toFixed(1)} s ` +
        `(${Math.round((prefill.records / prefill.durationMs) * 1000)} records/s)`,
      `reading ${(spanMs / 1000).toFixed(2)} s; ${results.map((r) => workerLine(r, Math.min(...firsts))).join("; ")}`,
    ],
    raw: { prefill, workers: results.map(withoutHistogram) },
  };
}

/**
 * At a fixed rate, and the takeover: the workers start on an empty stream at TRIM_HORIZON and spread the
 * leases; then producers put stamped records at a fixed rate. For the takeover, at the window's start the
 * worker holding the most shards is SIGKILLed and the survivors are told when.
 */
async function runPaced(run: CaseRun, adminUrl: string): Promise<RunOutcome<ApplicationFigure>> {
  const { settings, benchCase, label, cleanups, shardIds } = run;
  const workers = startApplicationWorkers(cleanups, benchCase.workers, workerConfigs(run, "TRIM_HORIZON", true));
  await startedAndSpread(workers, shardIds, benchCase.leaseTimeoutMs, label);
  const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", (index) =>
    openLoopProducerConfig(settings, [run.endpoint], index, true),
  );
  const windowMs = windowMsOf(benchCase, settings);
  let kill: Kill | undefined;
  const load = await driveLoad({
    label,
    adminUrls: [adminUrl],
    workers: producers,
    producers,
    warmupMs: settings.warmupMs,
    durationMs: windowMs,
    tailMs: DELIVERY_GRACE_MS,
    atSchedule: (schedule) => workers.forEach((w) => w.window(schedule)),
    atWindowStart: () => {
      if (benchCase.kind === "takeover") kill = killBusiestWorker(workers, shardIds, label);
    },
  });
  await sleepUntil(load.schedule.measureEndAtMs + DELIVERY_GRACE_MS);
  const survivors = workers.filter((w) => w !== kill?.victim);
  const results = await finishAll(survivors);

  const windowSec = windowMs / 1000;
  const put = totalOf(load.results);
  const processLatency = mergeHistograms(results.map((r) => r.latencyHistogram));
  const latency = summarizeMs(processLatency);
  const putLatency = summarizeMs(put.latency);
  const workersCpuCores = sum(results, (r) => r.cpuWindowMs ?? Number.NaN) / windowMs;
  const producersCpuCores = put.cpuMs / windowMs;
  const paced: Figures = {
    ...NO_FIGURES,
    workers: benchCase.workers,
    offeredRecordsPerSec: settings.rateRecordsPerSec,
    maxMs: latency.maxMs,
    putP99Ms: putLatency.p99Ms,
    checkpoints: sum(results, (r) => r.checkpoints),
    workersCpuCores,
    producersCpuCores,
    brokerCpuCores: load.broker.cpuCores,
    otherCpuCores: load.machineBusyCores - load.broker.cpuCores - workersCpuCores - producersCpuCores,
  };
  const errors = { ...prefixed("put.", put.errors), ...workerErrors(results) };
  const histograms = { processLatencyUs: encodeHistogram(processLatency), putLatencyUs: put.latencyEncoded };
  const raw = { workers: results.map(withoutHistogram), shardStarts: workers.flatMap((w) => w.shardStarts) };
  if (!kill) {
    // Records whose sends were due within the window and acknowledged: every one should be processed.
    const acknowledged = putLatency.count * settings.batchRecords - put.failedRecords;
    return {
      figures: {
        ...paced,
        recordsPerSec: latency.count / windowSec,
        megabytesPerSec: (latency.count * settings.recordBytes) / windowSec / 1e6,
        processedRecords: latency.count,
        p50Ms: latency.p50Ms,
        p99Ms: latency.p99Ms,
        p999Ms: latency.p999Ms,
        missingRecords: acknowledged - latency.count,
      },
      errors,
      histograms,
      notes: [results.map((r) => `${r.workerId} ${shardCountOf(r)} shards`).join(", ")],
      raw,
    };
  }
  const takeover = takeoverOf(kill, workers);
  return {
    figures: {
      ...paced,
      leaseTakenMaxMs: takeover.leaseTakenMaxMs,
      takeoverFirstMs: takeover.firstMs,
      takeoverMaxMs: takeover.maxMs,
      replayedRecords: sum(results, (r) => r.replayedRecords),
    },
    errors: { ...errors, ...(takeover.missed > 0 ? { NotTakenOverInWindow: takeover.missed } : {}) },
    histograms,
    notes: [`killed ${kill.victim.workerId} holding ${kill.shardIds.join(", ")}`, ...takeover.lines],
    raw: { ...raw, killAtMs: kill.atMs, victim: kill.victim.workerId, victimShardIds: kill.shardIds },
  };
}

interface Kill {
  readonly victim: ApplicationWorkerProcess;
  readonly shardIds: readonly string[];
  readonly atMs: number;
}

/** SIGKILLs the worker holding the most shards (the first such), after checking the leases are still spread. */
function killBusiestWorker(
  workers: readonly ApplicationWorkerProcess[],
  shardIds: readonly string[],
  label: string,
): Kill {
  if (!isSpread(workers, shardIds))
    throw new Error(`${label}: the leases moved during the warm-up; ${holdings(workers)}`);
  const victim = workers.reduce((a, b) => (b.status.heldShardIds.length > a.status.heldShardIds.length ? b : a));
  const atMs = epochNowMs();
  victim.killNow();
  for (const worker of workers) if (worker !== victim) worker.mark(atMs);
  return { victim, shardIds: victim.status.heldShardIds, atMs };
}

interface Takeover {
  readonly leaseTakenMaxMs: number;
  readonly firstMs: number;
  readonly maxMs: number;
  /** Victim's shards no survivor processed within the window. */
  readonly missed: number;
  readonly lines: string[];
}

/** Per victim's shard, the first consumer a survivor created after the kill: when, and its first records. */
function takeoverOf(kill: Kill, workers: readonly ApplicationWorkerProcess[]): Takeover {
  const starts = workers
    .filter((w) => w !== kill.victim)
    .flatMap((w) => w.shardStarts)
    .filter((s) => s.startedAtMs >= kill.atMs);
  const taken: ShardStart[] = [];
  const lines: string[] = [];
  for (const shardId of kill.shardIds) {
    const first = starts
      .filter((s) => s.shardId === shardId)
      .reduce<ShardStart | undefined>((a, b) => (a && a.firstProcessedAtMs <= b.firstProcessedAtMs ? a : b), undefined);
    if (!first) {
      lines.push(`${shardId}: not processed by a survivor within the window`);
      continue;
    }
    taken.push(first);
    lines.push(
      `${shardId} → ${first.workerId} (epoch ${first.epoch}): lease +${Math.round(first.startedAtMs - kill.atMs)} ms, ` +
        `first record +${Math.round(first.firstProcessedAtMs - kill.atMs)} ms`,
    );
  }
  const missed = kill.shardIds.length - taken.length;
  const ms = (pick: (s: ShardStart) => number): number[] => taken.map((s) => pick(s) - kill.atMs);
  return {
    leaseTakenMaxMs: missed > 0 || taken.length === 0 ? Number.NaN : Math.max(...ms((s) => s.startedAtMs)),
    firstMs: taken.length === 0 ? Number.NaN : Math.min(...ms((s) => s.firstProcessedAtMs)),
    maxMs: missed > 0 || taken.length === 0 ? Number.NaN : Math.max(...ms((s) => s.firstProcessedAtMs)),
    missed,
    lines,
  };
}

async function startedAndSpread(
  workers: readonly ApplicationWorkerProcess[],
  shardIds: readonly string[],
  leaseTimeoutMs: number,
  label: string,
): Promise<void> {
  await Promise.race([Promise.all(workers.map((w) => w.started)), ...workers.map((w) => w.failure)]);
  await waitForWorkers(
    workers,
    `${label}: spreading the leases`,
    balanceBoundMs(leaseTimeoutMs),
    () => isSpread(workers, shardIds),
    () => holdings(workers),
  );
}

/** Every shard held by exactly one worker, and no worker holding two more than another. */
function isSpread(workers: readonly ApplicationWorkerProcess[], shardIds: readonly string[]): boolean {
  const held = workers.flatMap((w) => w.status.heldShardIds);
  if (held.length !== shardIds.length || new Set(held).size !== held.length) return false;
  if (!held.every((id) => shardIds.includes(id))) return false;
  const loads = workers.map((w) => w.status.heldShardIds.length);
  return Math.max(...loads) - Math.min(...loads) <= 1;
}

function holdings(workers: readonly ApplicationWorkerProcess[]): string {
  return workers.map((w) => `${w.workerId} holds [${w.status.heldShardIds.join(", ")}]`).join(", ");
}

function processedBy(workers: readonly ApplicationWorkerProcess[]): number {
  return workers.reduce((n, w) => n + w.status.processedRecords, 0);
}

interface Prefill {
  readonly records: number;
  readonly durationMs: number;
  readonly calls: number;
  readonly errors: Record<string, number>;
}

/**
 * Puts `recordCount` records (random data and keys) with PutRecords calls from the coordinator, before
 * anything is measured. Refused records are put again; bounded by a failure count and by time.
 */
async function prefillStream(
  endpoint: string,
  recordCount: number,
  recordBytes: number,
  label: string,
): Promise<Prefill> {
  const client = new EddyClient({ endpoint, deadlineMs: PREFILL_CALL_DEADLINE_MS });
  const payloads = new PayloadPool(recordBytes);
  const errors = new ErrorTally();
  const startMs = performance.now();
  const deadlineMs = startMs + backlogBoundMs(recordCount);
  const state = { unassigned: recordCount, acknowledged: 0, calls: 0, failures: 0, stopped: false };
  const lane = async (): Promise<void> => {
    while (state.unassigned > 0 && !state.stopped) {
      if (performance.now() > deadlineMs) throw new Error(`${label}: pre-fill overran its bound`);
      const count = Math.min(PREFILL_BATCH_RECORDS, state.unassigned);
      state.unassigned -= count;
      let refused = count;
      try {
        const output = await client.putRecords({ streamName: STREAM_NAME, records: payloads.batch(count) });
        refused = output.failedRecordCount;
        for (const entry of output.records) if (entry.errorCode) errors.add(entry.errorCode);
      } catch (error) {
        errors.addError(error);
      }
      state.calls += 1;
      state.acknowledged += count - refused;
      if (refused === 0) continue;
      state.unassigned += refused;
      state.failures += 1;
      if (state.failures > PREFILL_FAILURES_MAX)
        throw new Error(`${label}: pre-fill failed ${state.failures} times: ${JSON.stringify(errors.counts)}`);
      await sleep(PREFILL_FAILURE_BACKOFF_MS);
    }
  };
  const stopProgress = countProgress(label, "pre-filling", recordCount, () => state.acknowledged);
  try {
    await Promise.all(
      Array.from({ length: PREFILL_CONCURRENCY }, () =>
        lane().catch((error: unknown) => {
          state.stopped = true;
          throw error;
        }),
      ),
    );
  } finally {
    stopProgress();
    client.close();
  }
  return {
    records: state.acknowledged,
    durationMs: performance.now() - startMs,
    calls: state.calls,
    errors: errors.counts,
  };
}

/** A progress bar (stderr) over a count instead of time: records put, records processed. */
function countProgress(label: string, phase: string, total: number, count: () => number): () => void {
  const bar = new RunProgress(label, total);
  let since = { atMs: performance.now(), count: count() };
  let ratePerSec = 0;
  const tick = (): void => {
    const nowMs = performance.now();
    const now = count();
    if (nowMs - since.atMs >= 1000) {
      ratePerSec = ((now - since.count) * 1000) / (nowMs - since.atMs);
      since = { atMs: nowMs, count: now };
    }
    bar.update(Math.min(total, now), phase, ratePerSec);
  };
  const timer = setInterval(tick, PROGRESS_TICK_MS);
  return () => {
    clearInterval(timer);
    tick();
    bar.stop();
  };
}

function workerLine(result: ApplicationWorkerResult, startMs: number): string {
  const first = result.firstProcessedAtMs === null ? "–" : `+${Math.round(result.firstProcessedAtMs - startMs)}`;
  const last = result.lastProcessedAtMs === null ? "–" : `+${Math.round(result.lastProcessedAtMs - startMs)}`;
  return (
    `${result.workerId}: ${result.processedRecords} records from ${shardCountOf(result)} shards, ` +
    `${first} to ${last} ms, ${result.checkpoints} checkpoints`
  );
}

function shardCountOf(result: ApplicationWorkerResult): number {
  return Object.keys(result.recordsByShard).length;
}

function workerErrors(results: readonly ApplicationWorkerResult[]): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const result of results) {
    for (const [name, count] of Object.entries(result.errors)) {
      const key = `worker.${name}`;
      errors[key] = (errors[key] ?? 0) + count;
    }
    if (result.stopMs === null) errors["worker.StopOverranBound"] = (errors["worker.StopOverranBound"] ?? 0) + 1;
  }
  return errors;
}

function withoutHistogram({ latencyHistogram: _, ...rest }: ApplicationWorkerResult): object {
  return rest;
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((n, item) => n + pick(item), 0);
}

function prefixed(prefix: string, counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([name, count]) => [prefix + name, count]));
}

function callName(batchRecords: number): string {
  return batchRecords === 1 ? "PutRecord" : `PutRecords of ${batchRecords}`;
}

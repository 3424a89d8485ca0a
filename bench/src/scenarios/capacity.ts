import { brokerArgs } from "../broker.js";
import { epochNowMs } from "../clock.js";
import { summarizeMs } from "../histogram.js";
import type { OpenLoopPutConfig } from "../ipc.js";
import { driveLoad } from "../load.js";
import type { CapacitySettings } from "../options.js";
import type { BenchCase, Column, RunOutcome, Scenario } from "../scenario.js";
import type { Cleanups } from "../bounded.js";
import { openLoopProducerConfig } from "./put-latency.js";
import { RUN_OVERHEAD_BOUND_MS, startClusterWithStream, startWorkers, totalOf } from "./common.js";

/** Brokers of the cluster; a stream's replication factor is min(3, brokers). */
const CLUSTER_BROKERS = 3;
const REPLICATION_FACTOR = 3;
/** Starting three brokers, forming the cluster and electing every shard's leader (64 shards: 192 groups). */
const CLUSTER_START_BOUND_MS = 90_000;
/** A step holds only if it acknowledged at least this fraction of what it offered within its window. */
const ACHIEVED_FRACTION_MIN = 0.9;
/** Bytes of record data per PutRecords call at most: large records go in fewer per call, so calls stay many. */
const CALL_BYTES_MAX = 256 * 1024;
/** Record data one producer may have unanswered; with `callBytes` this bounds its calls in flight (memory). */
const IN_FLIGHT_BYTES_MAX_PER_PRODUCER = 64 * 1024 * 1024;
const IN_FLIGHT_CALLS_MAX_PER_PRODUCER = 2_000;
const IN_FLIGHT_CALLS_MIN_PER_PRODUCER = 8;
/** Forking the step's producers, connecting, and draining their calls, on top of warm-up and window. */
const STEP_OVERHEAD_ESTIMATE_MS = 5_000;

export type CapacityFigure =
  | "recordsPerSec"
  | "megabytesPerSec"
  | "offeredRecordsPerSec"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "brokerCpuCores"
  | "busiestBrokerCpuCores"
  | "producerCpuCores"
  | "stepsHeld"
  | "stepsRun"
  | "brokenOfferedRecordsPerSec"
  | "brokenRecordsPerSec"
  | "brokenP99Ms";

const COLUMNS: readonly Column<CapacityFigure>[] = [
  { key: "recordsPerSec", label: "held records/s", digits: 0 },
  { key: "megabytesPerSec", label: "held MB/s", digits: 1 },
  { key: "offeredRecordsPerSec", label: "held offered", digits: 0 },
  { key: "p50Ms", label: "p50 ms", digits: 2 },
  { key: "p99Ms", label: "p99 ms", digits: 2 },
  { key: "p999Ms", label: "p99.9 ms", digits: 2 },
  { key: "brokerCpuCores", label: "brokers CPU", digits: 2 },
  { key: "busiestBrokerCpuCores", label: "busiest broker CPU", digits: 2 },
  { key: "producerCpuCores", label: "producers CPU", digits: 2 },
  { key: "stepsHeld", label: "steps held", digits: 0 },
  { key: "stepsRun", label: "steps run", digits: 0 },
  { key: "brokenOfferedRecordsPerSec", label: "broke at offered", digits: 0 },
  { key: "brokenRecordsPerSec", label: "broke at achieved", digits: 0 },
  { key: "brokenP99Ms", label: "broke at p99 ms", digits: 1 },
];

export interface CapacityCase extends BenchCase {
  readonly recordBytes: number;
  /** Records per PutRecords call: `--batch`, fewer when that would exceed CALL_BYTES_MAX. */
  readonly batchRecords: number;
  /** The first step's offered rate. */
  readonly startRecordsPerSec: number;
}

/** One step of a ramp: a fixed offered rate for warm-up + window, fresh producer processes. */
interface StepResult {
  readonly offeredRecordsPerSec: number;
  readonly recordsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly brokerCpuCores: number;
  readonly busiestBrokerCpuCores: number;
  readonly producerCpuCores: number;
  readonly failedRecords: number;
  /** Why it did not hold; undefined when it held. */
  readonly broke: string | undefined;
  readonly histogram: string;
}

/**
 * The highest put rate three local brokers (RF=3, ON_DEMAND) sustain, per record size and shard count: an
 * open-loop ramp on one fresh cluster per case. Each step offers `stepFactor` × the previous step's rate from
 * fresh producer processes; the ramp stops at the first step whose put p99 exceeds `p99MaxMs`, that
 * acknowledged under ACHIEVED_FRACTION_MIN of what it offered, or that had a failed record, and when the
 * case's time budget or step count runs out. The report gives the last step that held.
 */
export function capacityScenario(settings: CapacitySettings): Scenario<CapacityFigure, CapacityCase> {
  const args = brokerArgs(settings.fsync);
  const stepMs = settings.warmupMs + settings.durationMs;
  return {
    name: "capacity",
    summary:
      `Open-loop ramp of PutRecords (random data and partition keys) against ${CLUSTER_BROKERS} brokers on this ` +
      `machine (RF=${REPLICATION_FACTOR}, ON_DEMAND, --fsync ${settings.fsync}), ${settings.producers} producer ` +
      `processes, calls round-robin over the brokers. Each step offers ×${settings.stepFactor} the last, starting ` +
      `at the lower of ${settings.startMegabytesPerSec} MB/s and ${settings.startRecordsPerSec} records/s; a step ` +
      `holds while put p99 ≤ ${settings.p99MaxMs} ms, achieved ≥ ${ACHIEVED_FRACTION_MIN * 100} % of offered and no ` +
      `record failed. "held" is the last step that held (– if none did); "broke at" the step that ended the ramp ` +
      `(– if the step count or the case's ${settings.caseBudgetMs / 1000} s budget ended it). Latency is per ` +
      `call, from its scheduled time. Record sizes: ${settings.recordSizes.join(", ")} B; shards: ` +
      `${settings.shardCounts.join(", ")}.`,
    runDescription:
      `fresh ${CLUSTER_BROKERS}-broker cluster per case; each ramp step: new producers, warm-up ` +
      `${settings.warmupMs / 1000} s, measured window ${settings.durationMs / 1000} s; at most ${settings.stepsMax} ` +
      `steps and ${settings.caseBudgetMs / 1000} s of steps per case`,
    settings: {
      ...settings,
      brokerArgs: args,
      clusterBrokers: CLUSTER_BROKERS,
      replicationFactor: REPLICATION_FACTOR,
      streamMode: "ON_DEMAND",
      achievedFractionMin: ACHIEVED_FRACTION_MIN,
      callBytesMax: CALL_BYTES_MAX,
      inFlightBytesMaxPerProducer: IN_FLIGHT_BYTES_MAX_PER_PRODUCER,
    },
    columns: COLUMNS,
    cases: capacityCases(settings),
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs:
      settings.runTimeoutMs ?? CLUSTER_START_BOUND_MS + settings.caseBudgetMs + stepMs + RUN_OVERHEAD_BOUND_MS,
    throughputChart: { columns: ["megabytesPerSec"], valueAxisLabel: "MB/s sustained (last step that held)" },
    async runOnce(benchCase, label, cleanups) {
      const { cluster } = await startClusterWithStream(
        cleanups,
        CLUSTER_BROKERS,
        REPLICATION_FACTOR,
        args,
        benchCase.shardCount,
      );
      const endpoints = cluster.ids.map((id) => cluster.endpointOf(id));
      const adminUrls = cluster.ids.map((id) => cluster.adminUrlOf(id));
      const steps: StepResult[] = [];
      const rampStartMs = epochNowMs();
      let offered = benchCase.startRecordsPerSec;
      let ended = `the step count (${settings.stepsMax}) ran out`;
      while (true) {
        if (steps.length >= settings.stepsMax) break;
        if (epochNowMs() - rampStartMs + stepMs + STEP_OVERHEAD_ESTIMATE_MS > settings.caseBudgetMs) {
          ended = `the case's time budget (${settings.caseBudgetMs / 1000} s) ran out`;
          break;
        }
        const step = await runStep(settings, benchCase, `${label} step ${steps.length + 1}`, cleanups, {
          offeredRecordsPerSec: offered,
          endpoints,
          adminUrls,
        });
        steps.push(step);
        if (step.broke !== undefined) {
          ended = `step ${steps.length} broke: ${step.broke}`;
          break;
        }
        offered *= settings.stepFactor;
      }
      return outcomeOf(benchCase, steps, ended);
    },
  };
}

/** Sizes × shard counts, sizes outermost (a size's shard counts side by side in the chart). */
function capacityCases(settings: CapacitySettings): CapacityCase[] {
  return settings.recordSizes.flatMap((recordBytes) =>
    settings.shardCounts.map((shardCount) => ({
      name: `${sizeLabel(recordBytes)}, ${shardCount} shard${shardCount === 1 ? "" : "s"}`,
      shardCount,
      recordBytes,
      batchRecords: Math.max(1, Math.min(settings.batchRecords, Math.floor(CALL_BYTES_MAX / recordBytes))),
      startRecordsPerSec: Math.min(settings.startRecordsPerSec, (settings.startMegabytesPerSec * 1e6) / recordBytes),
    })),
  );
}

function sizeLabel(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

async function runStep(
  settings: CapacitySettings,
  benchCase: CapacityCase,
  label: string,
  cleanups: Cleanups,
  target: { offeredRecordsPerSec: number; endpoints: readonly string[]; adminUrls: readonly string[] },
): Promise<StepResult> {
  const load = { ...settings, recordBytes: benchCase.recordBytes, batchRecords: benchCase.batchRecords };
  const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", (index) =>
    producerConfig({ ...load, rateRecordsPerSec: target.offeredRecordsPerSec }, target.endpoints, index),
  );
  try {
    const outcome = await driveLoad({
      label,
      adminUrls: target.adminUrls,
      workers: producers,
      producers,
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
      tailMs: 0,
    });
    const total = totalOf(outcome.results);
    const latency = summarizeMs(total.latency);
    const recordsPerSec = total.records / (settings.durationMs / 1000);
    const failedRecords = total.failedRecords + total.failedCalls * benchCase.batchRecords;
    return {
      offeredRecordsPerSec: target.offeredRecordsPerSec,
      recordsPerSec,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      p999Ms: latency.p999Ms,
      brokerCpuCores: outcome.broker.cpuCores,
      busiestBrokerCpuCores: Math.max(...outcome.brokers.map((b) => b.cpuCores)),
      producerCpuCores: total.cpuMs / settings.durationMs,
      failedRecords,
      broke: whyBroken(
        settings,
        target.offeredRecordsPerSec,
        recordsPerSec,
        latency.p99Ms,
        failedRecords,
        total.errors,
      ),
      histogram: total.latencyEncoded,
    };
  } finally {
    await Promise.all(producers.map((p) => p.kill()));
  }
}

function whyBroken(
  settings: CapacitySettings,
  offeredRecordsPerSec: number,
  recordsPerSec: number,
  p99Ms: number,
  failedRecords: number,
  errors: Readonly<Record<string, number>>,
): string | undefined {
  if (!(p99Ms <= settings.p99MaxMs)) return `p99 ${p99Ms.toFixed(1)} ms > ${settings.p99MaxMs} ms`;
  if (recordsPerSec < ACHIEVED_FRACTION_MIN * offeredRecordsPerSec)
    return `achieved ${Math.round(recordsPerSec)} < ${ACHIEVED_FRACTION_MIN * 100} % of ${Math.round(offeredRecordsPerSec)} records/s offered`;
  if (failedRecords > 0) return `${failedRecords} records failed (${JSON.stringify(errors)})`;
  return undefined;
}

/** put-latency's producer, with calls in flight bounded by bytes too (a 100 KiB record × 2,000 is too much). */
function producerConfig(
  load: CapacitySettings & { rateRecordsPerSec: number; recordBytes: number; batchRecords: number },
  endpoints: readonly string[],
  index: number,
): OpenLoopPutConfig {
  const callBytes = load.recordBytes * load.batchRecords;
  const inFlightMax = Math.max(
    IN_FLIGHT_CALLS_MIN_PER_PRODUCER,
    Math.min(IN_FLIGHT_CALLS_MAX_PER_PRODUCER, Math.floor(IN_FLIGHT_BYTES_MAX_PER_PRODUCER / callBytes)),
  );
  return { ...openLoopProducerConfig(load, endpoints, index, false), inFlightMax };
}

function outcomeOf(benchCase: CapacityCase, steps: readonly StepResult[], ended: string): RunOutcome<CapacityFigure> {
  const broken = steps.at(-1)?.broke !== undefined ? steps.at(-1) : undefined;
  const held = steps.filter((s) => s.broke === undefined).at(-1);
  const heldOr = (pick: (s: StepResult) => number): number => (held ? pick(held) : Number.NaN);
  const brokenOr = (pick: (s: StepResult) => number): number => (broken ? pick(broken) : Number.NaN);
  const stepNote = (s: StepResult, i: number): string =>
    `step ${i + 1} offered ${Math.round(s.offeredRecordsPerSec)} records/s, achieved ` +
    `${Math.round(s.recordsPerSec)}, p50/p99/p99.9 ${s.p50Ms.toFixed(1)}/${s.p99Ms.toFixed(1)}/${s.p999Ms.toFixed(1)} ms, ` +
    `brokers CPU ${s.brokerCpuCores.toFixed(2)}, ${s.broke === undefined ? "held" : `broke (${s.broke})`}`;
  return {
    figures: {
      recordsPerSec: heldOr((s) => s.recordsPerSec),
      megabytesPerSec: heldOr((s) => (s.recordsPerSec * benchCase.recordBytes) / 1e6),
      offeredRecordsPerSec: heldOr((s) => s.offeredRecordsPerSec),
      p50Ms: heldOr((s) => s.p50Ms),
      p99Ms: heldOr((s) => s.p99Ms),
      p999Ms: heldOr((s) => s.p999Ms),
      brokerCpuCores: heldOr((s) => s.brokerCpuCores),
      busiestBrokerCpuCores: heldOr((s) => s.busiestBrokerCpuCores),
      producerCpuCores: heldOr((s) => s.producerCpuCores),
      stepsHeld: steps.filter((s) => s.broke === undefined).length,
      stepsRun: steps.length,
      brokenOfferedRecordsPerSec: brokenOr((s) => s.offeredRecordsPerSec),
      brokenRecordsPerSec: brokenOr((s) => s.recordsPerSec),
      brokenP99Ms: brokenOr((s) => s.p99Ms),
    },
    errors: {},
    // The latency chart shows the held step's calls; raw/ keeps every step's.
    histograms: held ? { putRecordsLatencyUs: held.histogram } : {},
    notes: [`PutRecords of ${benchCase.batchRecords}; the ramp ended because ${ended}`, ...steps.map(stepNote)],
    raw: {
      steps: steps.map(({ histogram, ...rest }) => ({ ...rest, putRecordsLatencyUs: histogram })),
    },
  };
}

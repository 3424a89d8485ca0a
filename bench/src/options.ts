import { parseArgs } from "node:util";
import type { FsyncMode } from "./broker.js";
import type { KinesisHttpVersion } from "./kinesis-sdk.js";
import { SCENARIO_NAMES, type ScenarioName } from "./scenario.js";

export interface CommonSettings {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly runs: number;
  readonly fsync: FsyncMode;
  readonly recordBytes: number;
  readonly shardCounts: readonly number[];
  readonly producers: number;
  /** Set by --timeout; otherwise each scenario derives its bound from warm-up and duration. */
  readonly runTimeoutMs: number | undefined;
}

export interface PutSettings extends CommonSettings {
  readonly concurrencyPerProducer: number;
  readonly batchRecords: number;
}

export interface PacedSettings extends CommonSettings {
  readonly rateRecordsPerSec: number;
}

export interface PutLatencySettings extends PacedSettings {
  /** Records per call: 1 sends PutRecord, more sends PutRecords of that many (at rate / batch calls/s). */
  readonly batchRecords: number;
}

export interface ProducerSettings extends CommonSettings {
  /** Full-speed cases: one per batch size (records per PutRecords), linger at the producer's default. */
  readonly batchRecordsMaxes: readonly number[];
  /** Fixed-rate cases: one per linger time, batch size at the producer's default. */
  readonly lingerMsList: readonly number[];
  /** The fixed-rate cases' records/s. */
  readonly rateRecordsPerSec: number;
}

/** Consumer applications (the SDK's Application) on one broker: throughput, latency, takeover. */
export interface ApplicationSettings extends CommonSettings {
  /** Backlog (throughput) cases: one per worker count; the latency and takeover cases use the largest. */
  readonly workerCounts: readonly number[];
  /** Backlog cases: records put before the workers read them. */
  readonly prefillRecords: number;
  /** Latency and takeover cases: records/s put, open loop, stamped with their send time. */
  readonly rateRecordsPerSec: number;
  /** Records per PutRecords call of that load (1 sends PutRecord). */
  readonly batchRecords: number;
  /** Takeover cases: one per lease timeout. */
  readonly leaseTimeoutsMs: readonly number[];
}

/**
 * The put load of `put` through the AWS SDK, against Eddy (three brokers, RF=3) and against kinesalite in the
 * same run, then the read-back of all that was put.
 */
export interface KinesisPeersSettings extends PutSettings {
  /** Read-back processes; the shards are dealt out among them (never more processes than shards). */
  readonly readers: number;
  /** One Eddy case per HTTP version the SDK speaks to it; kinesalite is always HTTP/1.1. */
  readonly eddyHttpVersions: readonly KinesisHttpVersion[];
}

/** Several consumer applications on one stream under a fixed put rate; see scenarios/fanout.ts. */
export interface FanoutSettings extends CommonSettings {
  /** One case per count (per shard count). */
  readonly applicationCounts: readonly number[];
  readonly rateRecordsPerSec: number;
  /** Records per PutRecords call of the load (1 sends PutRecord). */
  readonly batchRecords: number;
}

/** The highest rate three brokers (RF=3) sustain, per record size and shard count; see scenarios/capacity.ts. */
export interface CapacitySettings extends CommonSettings {
  /** Record data sizes, one case per size and shard count. */
  readonly recordSizes: readonly number[];
  /** Records per PutRecords call at most (fewer for large records). */
  readonly batchRecords: number;
  /** A step holds while its put p99 is at most this. */
  readonly p99MaxMs: number;
  /** Each step offers this × the previous step's rate. */
  readonly stepFactor: number;
  /** The first step offers the lower of these two. */
  readonly startMegabytesPerSec: number;
  readonly startRecordsPerSec: number;
  readonly stepsMax: number;
  /** No step starts that would end later than this after the case's first step started. */
  readonly caseBudgetMs: number;
}

/** Acknowledged writes against Eddy and NATS JetStream (3 servers, 3 replicas each); see scenarios/peers.ts. */
export interface PeersSettings extends CommonSettings {
  readonly concurrencyPerProducer: number;
}

/** PROVISIONED limits, each overdriven; see scenarios/limits.ts. */
export interface LimitsSettings extends CommonSettings {
  /** Writes: offered ÷ the binding limit. */
  readonly overdrive: number;
}

export interface BenchOptions {
  readonly scenarios: readonly ScenarioName[];
  readonly outDir: string | undefined;
  readonly put: PutSettings;
  readonly putLatency: PutLatencySettings;
  readonly e2e: PacedSettings;
  /** The `put` load, against one broker and against three. */
  readonly replication: PutSettings;
  /** Always a 1-shard stream (`shardCounts` is [1] whatever --shards says). */
  readonly failover: PacedSettings;
  /** One producer process (the SDK's Producer) against three brokers. */
  readonly producer: ProducerSettings;
  readonly application: ApplicationSettings;
  readonly kinesisPeers: KinesisPeersSettings;
  readonly limits: LimitsSettings;
  readonly fanout: FanoutSettings;
  readonly capacity: CapacitySettings;
  readonly peers: PeersSettings;
}

/** Defaults that differ by scenario; everything else is shared. */
const DEFAULTS = {
  put: { shardCounts: [1, 4], producers: 4, batchRecords: 100 },
  putLatency: { shardCounts: [4], producers: 4, rateRecordsPerSec: 12_500, batchRecords: 1 },
  e2e: { shardCounts: [4], producers: 1, rateRecordsPerSec: 2_000 },
  replication: { shardCounts: [1, 4], producers: 4, batchRecords: 100 },
  failover: { shardCounts: [1], producers: 2, rateRecordsPerSec: 500 },
  producer: {
    shardCounts: [4],
    producers: 1,
    rateRecordsPerSec: 10_000,
    batchRecordsMaxes: "100,500",
    lingerMs: "0,5,20",
  },
  application: {
    shardCounts: [8],
    producers: 1,
    workerCounts: "1,2,3",
    prefillRecords: 300_000,
    rateRecordsPerSec: 5_000,
    batchRecords: 10,
    leaseTimeoutsMs: "2000,10000",
  },
  kinesisPeers: { shardCounts: [4], producers: 4, batchRecords: 100, readers: 2, eddyHttp: "1.1" },
  limits: { shardCounts: [1], producers: 2, overdrive: 2.5 },
  fanout: { shardCounts: [4], producers: 1, applicationCounts: "1,2,5", rateRecordsPerSec: 2_000, batchRecords: 10 },
  peers: { shardCounts: [4], producers: 4 },
  capacity: {
    shardCounts: [1, 4, 16, 64],
    producers: 2,
    recordSizes: "100,1024,10240,102400",
    batchRecords: 100,
    // A ramp measures many steps; one run of it, with short steps, is what the time allows.
    runs: "1",
    warmup: "1",
    duration: "3",
    p99MaxMs: "200",
    stepFactor: "1.5",
    startMegabytesPerSec: "2",
    startRecordsPerSec: "2000",
    stepsMax: "12",
    caseBudgetS: "120",
  },
} as const;

export const USAGE = `Usage: npm run bench -- <put|put-latency|e2e|replication|failover|producer|application|kinesis-peers|limits|fanout|capacity|peers|all> [options]
       npm run bench -- smoke [scenario...]
       npm run bench -- redraw <results dir>...

Scenarios
  put           PutRecords throughput, closed loop (records/s, MB/s, latency, group-commit batch sizes)
  put-latency   PutRecord (--batch n: PutRecords of n) latency at a fixed rate, open loop
  e2e           put-to-delivery latency at a fixed rate, through SubscribeToShard and through
                polling (GetRecords from LATEST, 5 calls/s per shard), in the same run
  replication   the put load on one broker (RF=1) and on three local brokers (RF=3), and RF=3
                at half its own throughput, open loop
  failover      3 brokers, 1 shard, PutRecord at a fixed rate: SIGKILL the shard's leader, time
                until puts succeed again; then restart it and time its rejoin
  producer      one process with the SDK's Producer against 3 brokers (RF=3): records/s at full
                speed per --batch-max, put latency at --rate per --linger, exactly-once on vs off
  application   consumer applications (the SDK's Application, one process per worker) on one broker:
                records/s processing a pre-filled backlog per --workers count, put-to-process
                latency at --rate, and the takeover time after a worker is SIGKILLed per --lease-timeout
  kinesis-peers the put load through the AWS SDK (Kinesis API) against Eddy (3 brokers, RF=3) and
                against kinesalite (npm, one node on LevelDB) in the same run, then the read-back of
                everything put (GetShardIterator + GetRecords); Eddy ÷ kinesalite ratios
  limits        a PROVISIONED 1-shard stream driven over each per-shard limit (writes: records/s,
                bytes/s; GetRecords: calls/s, bytes/s; each subscriber's bytes/s): accepted ÷ limit
                and throttles; exits 1 if any is off by more than 5 %
  fanout        1, 2, 5 consumer applications (one worker process each) reading one stream under
                --rate: per-application records/s and put-to-process latency
  capacity      3 brokers (RF=3), per --sizes × --shards: an open-loop ramp (×--step-factor per
                step) until put p99 > --p99-max or achieved < 90 % of offered; the last step that held
  peers         one-record acknowledged writes, closed loop, against Eddy (3 brokers, RF=3) and a
                3-server NATS JetStream cluster (replicas=3; skipped without nats-server on PATH)
                in the same run; NATS ÷ Eddy ratios
  all           the twelve in sequence
  smoke         each scenario (or those named) once with tiny settings (about a second of load,
                the smallest cases), results in a temporary directory, checked for figures that
                show it ran; names the scenarios that failed and exits 1 (CI runs this)
  redraw        draws a result directory's charts again from its result.json (and raw/, if kept),
                for results written before a chart existed; measures nothing

Options (seconds may be fractional)
  --duration <s>        measurement window per run (failover: from the kill) (10)
  --warmup <s>          load before the window (failover: before the kill) (2)
  --runs <n>            repetitions; the report gives each and the median (3)
  --shards <n,n,...>    stream shard counts, one row each
                        (put, replication: 1,4; put-latency, e2e, producer, kinesis-peers, fanout: 4;
                        application: 8; failover, limits: always 1)
  --producers <n>       producer processes  (put, put-latency, replication, kinesis-peers: 4;
                        failover: 2; e2e, application: 1)
  --concurrency <n>     put, replication, kinesis-peers, peers: calls in flight per producer (4)
  --batch <n>           records per call, 1..500     (put, replication, kinesis-peers: 100; put-latency: 1;
                        application, fanout: 10)
                        put-latency: 1 sends PutRecord; n > 1 sends PutRecords of n records,
                        rate / n calls/s, latency per call (e2e, failover always send PutRecord)
  --record-bytes <n>    bytes of data per record, 8..1048576           (1024)
  --rate <records/s>    put-latency, e2e, failover, producer, application, fanout: total records/s
                        offered (put-latency: 12500; e2e: 2000; failover: 500; producer: 10000;
                        application: 5000; fanout: 2000)
  --batch-max <n,n,...> producer: records per PutRecords, one full-speed row each (100,500)
  --linger <ms,ms,...>  producer: linger times, one fixed-rate row each          (0,5,20)
  --workers <n,n,...>   application: worker processes, one backlog row each      (1,2,3)
  --records <n>         application: records pre-filled for each backlog row     (300000)
  --lease-timeout <ms,...>  application: lease timeouts, one takeover row each   (2000,10000)
  --readers <n>         kinesis-peers: read-back processes                         (2)
  --eddy-http <v,...>   kinesis-peers: HTTP versions to Eddy, 1.1 and/or 2, one row each (1.1);
                        kinesalite speaks HTTP/1.1 only
  --applications <n,...>  fanout: consumer applications, one row each          (1,2,5)
  --overdrive <x>       limits: writes offered ÷ the limit, > 1                       (2.5)
  capacity (defaults there: --runs 1, --warmup 1, --duration 3 per step, --producers 2,
  --batch 100 at most 256 KiB per call, --shards 1,4,16,64):
  --sizes <B,B,...>     record sizes, one case per size and shard count  (100,1024,10240,102400)
  --p99-max <ms>        a step holds while its put p99 is at most this           (200)
  --step-factor <x>     offered rate × this per step, 1.05..10                    (1.5)
  --start-mbps <MB/s>   first step: the lower of this and --start-rate            (2)
  --start-rate <records/s>                                                         (2000)
  --steps <n>           steps per case at most                                    (12)
  --case-budget <s>     no step starts that would end later than this into a case (120)
  --fsync <always|never>  the broker's --fsync                         (always)
  --timeout <s>         hard bound of one run        (warm-up + duration + 60 s)
  --out <dir>           results root                                   (bench/results)
  -h, --help            this text
`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseOptions(argv: readonly string[]): BenchOptions | "help" {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      runs: { type: "string" },
      shards: { type: "string" },
      producers: { type: "string" },
      concurrency: { type: "string" },
      batch: { type: "string" },
      "record-bytes": { type: "string" },
      rate: { type: "string" },
      fsync: { type: "string" },
      timeout: { type: "string" },
      out: { type: "string" },
      "batch-max": { type: "string" },
      linger: { type: "string" },
      workers: { type: "string" },
      records: { type: "string" },
      "lease-timeout": { type: "string" },
      readers: { type: "string" },
      "eddy-http": { type: "string" },
      overdrive: { type: "string" },
      applications: { type: "string" },
      sizes: { type: "string" },
      "p99-max": { type: "string" },
      "step-factor": { type: "string" },
      "start-mbps": { type: "string" },
      "start-rate": { type: "string" },
      steps: { type: "string" },
      "case-budget": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const scenarios = scenariosFrom(positionals);
  const shared = {
    warmupMs: seconds("--warmup", values.warmup ?? "2", 0),
    durationMs: seconds("--duration", values.duration ?? "10", 0.001),
    runs: integer("--runs", values.runs ?? "3", 1, 100),
    fsync: fsyncMode(values.fsync ?? "always"),
    recordBytes: integer("--record-bytes", values["record-bytes"] ?? "1024", 8, 1024 * 1024),
    runTimeoutMs: values.timeout === undefined ? undefined : seconds("--timeout", values.timeout, 1),
  };
  const shardCounts = values.shards === undefined ? undefined : shardList(values.shards);
  const producers = values.producers === undefined ? undefined : integer("--producers", values.producers, 1, 64);
  const rate = values.rate === undefined ? undefined : positiveNumber("--rate", values.rate);
  const batchRecords = values.batch === undefined ? undefined : integer("--batch", values.batch, 1, 500);
  const forScenario = (defaults: { shardCounts: readonly number[]; producers: number }): CommonSettings => ({
    ...shared,
    shardCounts: shardCounts ?? defaults.shardCounts,
    producers: producers ?? defaults.producers,
  });
  return {
    scenarios,
    outDir: values.out,
    put: {
      ...forScenario(DEFAULTS.put),
      concurrencyPerProducer: integer("--concurrency", values.concurrency ?? "4", 1, 1000),
      batchRecords: batchRecords ?? DEFAULTS.put.batchRecords,
    },
    putLatency: {
      ...forScenario(DEFAULTS.putLatency),
      rateRecordsPerSec: rate ?? DEFAULTS.putLatency.rateRecordsPerSec,
      batchRecords: batchRecords ?? DEFAULTS.putLatency.batchRecords,
    },
    e2e: { ...forScenario(DEFAULTS.e2e), rateRecordsPerSec: rate ?? DEFAULTS.e2e.rateRecordsPerSec },
    replication: {
      ...forScenario(DEFAULTS.replication),
      concurrencyPerProducer: integer("--concurrency", values.concurrency ?? "4", 1, 1000),
      batchRecords: batchRecords ?? DEFAULTS.replication.batchRecords,
    },
    producer: {
      ...forScenario(DEFAULTS.producer),
      // One process: the question is what one producer does.
      producers: 1,
      rateRecordsPerSec: rate ?? DEFAULTS.producer.rateRecordsPerSec,
      batchRecordsMaxes: integerList("--batch-max", values["batch-max"] ?? DEFAULTS.producer.batchRecordsMaxes, 1, 500),
      lingerMsList: integerList("--linger", values.linger ?? DEFAULTS.producer.lingerMs, 0, 60_000),
    },
    application: {
      ...forScenario(DEFAULTS.application),
      workerCounts: integerList("--workers", values.workers ?? DEFAULTS.application.workerCounts, 1, 16),
      prefillRecords: integer(
        "--records",
        values.records ?? String(DEFAULTS.application.prefillRecords),
        1,
        10_000_000,
      ),
      rateRecordsPerSec: rate ?? DEFAULTS.application.rateRecordsPerSec,
      batchRecords: batchRecords ?? DEFAULTS.application.batchRecords,
      leaseTimeoutsMs: integerList(
        "--lease-timeout",
        values["lease-timeout"] ?? DEFAULTS.application.leaseTimeoutsMs,
        1_000,
        600_000,
      ),
    },
    kinesisPeers: {
      ...forScenario(DEFAULTS.kinesisPeers),
      concurrencyPerProducer: integer("--concurrency", values.concurrency ?? "4", 1, 1000),
      batchRecords: batchRecords ?? DEFAULTS.kinesisPeers.batchRecords,
      readers: integer("--readers", values.readers ?? String(DEFAULTS.kinesisPeers.readers), 1, 64),
      eddyHttpVersions: httpVersions(values["eddy-http"] ?? DEFAULTS.kinesisPeers.eddyHttp),
    },
    limits: {
      ...forScenario(DEFAULTS.limits),
      // One shard, fixed processes per case: the limits are per shard (see scenarios/limits.ts).
      shardCounts: DEFAULTS.limits.shardCounts,
      overdrive: overdrive(values.overdrive ?? String(DEFAULTS.limits.overdrive)),
    },
    fanout: {
      ...forScenario(DEFAULTS.fanout),
      applicationCounts: integerList("--applications", values.applications ?? DEFAULTS.fanout.applicationCounts, 1, 16),
      rateRecordsPerSec: rate ?? DEFAULTS.fanout.rateRecordsPerSec,
      batchRecords: batchRecords ?? DEFAULTS.fanout.batchRecords,
    },
    peers: {
      ...forScenario(DEFAULTS.peers),
      concurrencyPerProducer: integer("--concurrency", values.concurrency ?? "4", 1, 1000),
    },
    capacity: capacitySettings(values, shardCounts, producers, batchRecords, shared),
    failover: {
      ...forScenario(DEFAULTS.failover),
      // One shard: a kill then stops every put's shard at once, and nothing else (see scenarios/failover.ts).
      shardCounts: DEFAULTS.failover.shardCounts,
      rateRecordsPerSec: rate ?? DEFAULTS.failover.rateRecordsPerSec,
    },
  };
}

/** Capacity has defaults of its own for the shared options too (one run, short steps). */
function capacitySettings(
  values: Readonly<Record<string, string | boolean | undefined>>,
  shardCounts: readonly number[] | undefined,
  producers: number | undefined,
  batchRecords: number | undefined,
  shared: { fsync: FsyncMode; recordBytes: number; runTimeoutMs: number | undefined },
): CapacitySettings {
  const d = DEFAULTS.capacity;
  const text = (name: string, fallback: string): string => {
    const value = values[name];
    return typeof value === "string" ? value : fallback;
  };
  return {
    ...shared,
    warmupMs: seconds("--warmup", text("warmup", d.warmup), 0),
    durationMs: seconds("--duration", text("duration", d.duration), 0.001),
    runs: integer("--runs", text("runs", d.runs), 1, 100),
    shardCounts: shardCounts ?? d.shardCounts,
    producers: producers ?? d.producers,
    recordSizes: integerList("--sizes", text("sizes", d.recordSizes), 8, 1024 * 1024),
    batchRecords: batchRecords ?? d.batchRecords,
    p99MaxMs: positiveNumber("--p99-max", text("p99-max", d.p99MaxMs)),
    stepFactor: stepFactor(text("step-factor", d.stepFactor)),
    startMegabytesPerSec: positiveNumber("--start-mbps", text("start-mbps", d.startMegabytesPerSec)),
    startRecordsPerSec: positiveNumber("--start-rate", text("start-rate", d.startRecordsPerSec)),
    stepsMax: integer("--steps", text("steps", d.stepsMax), 1, 50),
    caseBudgetMs: seconds("--case-budget", text("case-budget", d.caseBudgetS), 1),
  };
}

function stepFactor(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 1.05 || value > 10)
    throw new UsageError(`--step-factor must be a number from 1.05 to 10 (got "${text}")`);
  return value;
}

function scenariosFrom(positionals: readonly string[]): ScenarioName[] {
  if (positionals.length !== 1)
    throw new UsageError(`give exactly one scenario (got ${positionals.length ? positionals.join(" ") : "none"})`);
  const name = positionals[0]!;
  if (name === "all") return [...SCENARIO_NAMES];
  const known = SCENARIO_NAMES.find((n) => n === name);
  if (!known) throw new UsageError(`unknown scenario "${name}"; choose one of ${SCENARIO_NAMES.join(", ")}, all`);
  return [known];
}

function overdrive(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 1 || value > 20)
    throw new UsageError(`--overdrive must be a number over 1, at most 20 (got "${text}")`);
  return value;
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number (got "${text}")`);
  return value;
}

/** Seconds on the command line, milliseconds inside. */
function seconds(flag: string, text: string, minSeconds: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < minSeconds)
    throw new UsageError(`${flag} must be a number of seconds >= ${minSeconds} (got "${text}")`);
  return Math.round(value * 1000);
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max} (got "${text}")`);
  }
  return value;
}

function integerList(flag: string, text: string, min: number, max: number): number[] {
  const values = text.split(",").map((part) => integer(flag, part.trim(), min, max));
  if (new Set(values).size !== values.length) throw new UsageError(`${flag} lists a value twice ("${text}")`);
  return values;
}

function shardList(text: string): number[] {
  const counts = text.split(",").map((part) => integer("--shards", part.trim(), 1, 1024));
  if (new Set(counts).size !== counts.length) throw new UsageError(`--shards lists a count twice ("${text}")`);
  return counts;
}

function httpVersions(text: string): KinesisHttpVersion[] {
  const versions = text.split(",").map((part): KinesisHttpVersion => {
    const version = part.trim();
    if (version === "1.1" || version === "2") return version;
    throw new UsageError(`--eddy-http takes 1.1 and/or 2 (got "${text}")`);
  });
  if (new Set(versions).size !== versions.length) throw new UsageError(`--eddy-http lists a version twice ("${text}")`);
  return versions;
}

function fsyncMode(text: string): FsyncMode {
  if (text === "always" || text === "never") return text;
  throw new UsageError(`--fsync must be always or never (got "${text}")`);
}

/**
 * kinesis-peers: the same Kinesis load through the same client, the AWS SDK for JavaScript v3, against Eddy
 * (three brokers, RF=3) and against kinesalite (the npm package: one node, Kinesis on LevelDB), in one run,
 * reported side by side and as ratios Eddy ÷ kinesalite. Each run: a fresh server and stream, the `put` load
 * (closed loop) through the SDK, then the read-back of everything acknowledged with GetShardIterator
 * (TRIM_HORIZON) and GetRecords, all load from processes of its own.
 */
import type { Cleanups } from "../bounded.js";
import { brokerArgs, scrapeBroker } from "../broker.js";
import { epochNowMs, sleepUntil, type Schedule } from "../clock.js";
import { LocalCluster } from "../cluster.js";
import { summarizeMs } from "../histogram.js";
import type { KinesisPutConfig, KinesisReadConfig, WorkerResult } from "../ipc.js";
import { KinesaliteProcess, type KinesaliteProbe } from "../kinesalite-process.js";
import { createKinesisStream, kinesisSdkVersion, type KinesisHttpVersion } from "../kinesis-sdk.js";
import { driveLoad } from "../load.js";
import type { KinesisPeersSettings } from "../options.js";
import { RunProgress } from "../progress.js";
import { shardCases, type BenchCase, type Column, type RunContext, type Scenario } from "../scenario.js";
import type { WorkerProcess } from "../worker-process.js";
import { rotated, RUN_OVERHEAD_BOUND_MS, STREAM_NAME, startWorkers, totalOf } from "./common.js";

/** Eddy's side: a stream's replication factor is min(3, brokers). */
const CLUSTER_BROKERS = 3;
const REPLICATION_FACTOR = 3;
/** Starting three brokers, forming the cluster and electing every shard's leader. */
const CLUSTER_START_BOUND_MS = 60_000;
/** GetRecords' Limit: the most Kinesis allows. */
const GET_RECORDS_LIMIT = 10_000;
/** Time for the `go` message to reach every reader, so that they start together. */
const READ_GO_LEAD_MS = 250;
/** The read-back may take this long plus READ_BOUND_LOAD_FACTOR × the time the load put records. */
const READ_BOUND_BASE_MS = 30_000;
const READ_BOUND_LOAD_FACTOR = 3;
/** Reader processes starting and connecting. */
const READ_SETUP_BOUND_MS = 15_000;
const READ_PROGRESS_TICK_MS = 250;

export type KinesisPeersFigure =
  | "putRecordsPerSec"
  | "putMegabytesPerSec"
  | "putP50Ms"
  | "putP99Ms"
  | "putP999Ms"
  | "failedRecords"
  | "serverPutCpuCores"
  | "serverCpuMsPerPutMegabyte"
  | "producerCpuCores"
  | "otherCpuCores"
  | "readRecordsPerSec"
  | "readMegabytesPerSec"
  | "getRecordsP50Ms"
  | "getRecordsP99Ms"
  | "unreadRecords"
  | "serverReadCpuCores"
  | "readerCpuCores"
  | "putRecordsPerSecVsKinesalite"
  | "putP50VsKinesalite"
  | "putP99VsKinesalite"
  | "readRecordsPerSecVsKinesalite";

const COLUMNS: readonly Column<KinesisPeersFigure>[] = [
  { key: "putRecordsPerSec", label: "put records/s", digits: 0 },
  { key: "putMegabytesPerSec", label: "put MB/s", digits: 1 },
  { key: "putP50Ms", label: "put p50 ms", digits: 2 },
  { key: "putP99Ms", label: "put p99 ms", digits: 2 },
  { key: "putP999Ms", label: "put p99.9 ms", digits: 2 },
  { key: "failedRecords", label: "failed records", digits: 0 },
  { key: "serverPutCpuCores", label: "server CPU (put)", digits: 2 },
  { key: "serverCpuMsPerPutMegabyte", label: "server CPU ms/MB (put)", digits: 1 },
  { key: "producerCpuCores", label: "producers CPU", digits: 2 },
  { key: "otherCpuCores", label: "other CPU", digits: 2 },
  { key: "readRecordsPerSec", label: "read records/s", digits: 0 },
  { key: "readMegabytesPerSec", label: "read MB/s", digits: 1 },
  { key: "getRecordsP50Ms", label: "GetRecords p50 ms", digits: 1 },
  { key: "getRecordsP99Ms", label: "GetRecords p99 ms", digits: 1 },
  { key: "unreadRecords", label: "unread records", digits: 0 },
  { key: "serverReadCpuCores", label: "server CPU (read)", digits: 2 },
  { key: "readerCpuCores", label: "readers CPU", digits: 2 },
  { key: "putRecordsPerSecVsKinesalite", label: "put records/s ÷ kinesalite", digits: 2 },
  { key: "putP50VsKinesalite", label: "put p50 ÷ kinesalite", digits: 2 },
  { key: "putP99VsKinesalite", label: "put p99 ÷ kinesalite", digits: 2 },
  { key: "readRecordsPerSecVsKinesalite", label: "read records/s ÷ kinesalite", digits: 2 },
];

export interface KinesisPeersCase extends BenchCase {
  readonly server: "eddy" | "kinesalite";
  /** The HTTP version the SDK speaks to the server (kinesalite: always 1.1). */
  readonly http: KinesisHttpVersion;
}

/** A server under test, as a run sees it. */
interface Peer {
  /** Its Kinesis endpoints: every broker's for Eddy, the one of kinesalite. */
  readonly kinesisUrls: readonly string[];
  readonly shardIds: readonly string[];
  /** CPU seconds its processes have used so far (Eddy: the three brokers together). */
  cpuSeconds(): Promise<number>;
  /** Rejects if the server's process dies during the run (kinesalite; Eddy's brokers show as failed calls). */
  readonly failure: Promise<never>;
}

interface PutPhase {
  readonly results: readonly WorkerResult[];
  readonly serverCpuCores: number;
  readonly machineBusyCores: number;
}

interface ReadPhase {
  readonly results: readonly WorkerResult[];
  readonly expectedRecords: number;
  readonly elapsedMs: number;
  readonly serverCpuCores: number;
}

/**
 * The scenario for what `probe` found: with kinesalite, per shard count a kinesalite case followed by the
 * Eddy cases (whose ratios need the kinesalite figures of the same run); without, the Eddy cases alone,
 * and the report says why.
 */
export function kinesisPeersScenario(
  settings: KinesisPeersSettings,
  kinesalite: KinesaliteProbe,
): Scenario<KinesisPeersFigure, KinesisPeersCase> {
  const args = brokerArgs(settings.fsync);
  const sdkVersion = kinesisSdkVersion();
  const readBoundMs = READ_BOUND_BASE_MS + READ_BOUND_LOAD_FACTOR * (settings.warmupMs + settings.durationMs);
  const batch = `PutRecords of ${settings.batchRecords} × ${settings.recordBytes} B`;
  const absent = kinesalite.available
    ? ""
    : `**kinesalite could not be loaded (${kinesalite.reason}): Eddy alone, no ratios.** `;
  const servers = kinesalite.available
    ? `Eddy: ${CLUSTER_BROKERS} brokers on this machine, RF=${REPLICATION_FACTOR} (every shard a 3-replica Raft ` +
      `group), --fsync ${settings.fsync}, calls spread round-robin over the three brokers' Kinesis endpoints. ` +
      `kinesalite ${kinesalite.version}: one process, one node (RF=1), LevelDB on disk written without sync. ` +
      `Ratios: Eddy ÷ kinesalite of the same run.`
    : `Eddy: ${CLUSTER_BROKERS} brokers on this machine, RF=${REPLICATION_FACTOR}, --fsync ${settings.fsync}, ` +
      `calls spread round-robin over the three brokers' Kinesis endpoints.`;
  return {
    name: "kinesis-peers",
    summary:
      `${absent}${batch} through the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis ${sdkVersion}, AWS JSON ` +
      `1.1, SDK retries off), closed loop: ${settings.producers} producer processes × ` +
      `${settings.concurrencyPerProducer} calls in flight, ON_DEMAND stream; then everything acknowledged is read ` +
      `back from TRIM_HORIZON with GetRecords (Limit ${GET_RECORDS_LIMIT}) by up to ${settings.readers} reader ` +
      `processes. ${servers}`,
    runDescription:
      `a fresh server (Eddy: ${CLUSTER_BROKERS} brokers, new data directories` +
      `${kinesalite.available ? "; kinesalite: a new process on a new LevelDB directory" : ""}) and stream, warm-up ${settings.warmupMs / 1000} s, measured put window ` +
      `${settings.durationMs / 1000} s, drain, then the read-back of all acknowledged records (bounded by ` +
      `${readBoundMs / 1000} s)`,
    settings: {
      ...settings,
      brokerArgs: args,
      clusterBrokers: CLUSTER_BROKERS,
      replicationFactor: REPLICATION_FACTOR,
      streamMode: "ON_DEMAND",
      sdk: { package: "@aws-sdk/client-kinesis", version: sdkVersion, protocol: "AWS JSON 1.1", maxAttempts: 1 },
      getRecordsLimit: GET_RECORDS_LIMIT,
      readBoundMs,
      kinesalite: {
        ...kinesalite,
        options: { path: "a new temporary directory per run", createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 },
        listen: "127.0.0.1, a port of the OS's choosing",
        http: "1.1",
        durability: "one node; LevelDB writes with default options (no sync)",
      },
    },
    columns: COLUMNS,
    cases: peerCases(settings, kinesalite.available),
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs:
      settings.runTimeoutMs ??
      settings.warmupMs +
        settings.durationMs +
        RUN_OVERHEAD_BOUND_MS +
        CLUSTER_START_BOUND_MS +
        READ_SETUP_BOUND_MS +
        readBoundMs,
    async runOnce(benchCase, label, cleanups, context) {
      const peer =
        benchCase.server === "eddy"
          ? await startEddy(cleanups, args, benchCase.shardCount)
          : await startKinesalite(cleanups, benchCase.shardCount);
      const put = await Promise.race([putPhase(settings, benchCase, peer, label, cleanups), peer.failure]);
      const acked = ackedByShard(put.results);
      const read = await Promise.race([
        readPhase(settings, benchCase, peer, acked, readBoundMs, label, cleanups),
        peer.failure,
      ]);
      return outcome(settings, benchCase, put, read, context);
    },
  };
}

function peerCases(settings: KinesisPeersSettings, withKinesalite: boolean): KinesisPeersCase[] {
  return shardCases(settings.shardCounts).flatMap(({ shardCount }) => [
    ...(withKinesalite
      ? [
          {
            name: caseName(shardCount, "kinesalite", "1.1"),
            shardCount,
            server: "kinesalite" as const,
            http: "1.1" as const,
          },
        ]
      : []),
    ...settings.eddyHttpVersions.map((http) => ({
      name: caseName(shardCount, "eddy", http),
      shardCount,
      server: "eddy" as const,
      http,
    })),
  ]);
}

function caseName(shardCount: number, server: KinesisPeersCase["server"], http: KinesisHttpVersion): string {
  const shards = `${shardCount} shard${shardCount === 1 ? "" : "s"}`;
  const who = server === "eddy" ? `Eddy RF=${REPLICATION_FACTOR}` : "kinesalite";
  return `${shards}, ${who} (HTTP/${http})`;
}

/** A fresh three-broker cluster with the stream created through the SDK, every shard led with 3 voters. */
async function startEddy(cleanups: Cleanups, args: readonly string[], shardCount: number): Promise<Peer> {
  const cluster = await LocalCluster.create(CLUSTER_BROKERS, args);
  cleanups.add(() => cluster.destroy());
  await cluster.launch();
  const kinesisUrls = cluster.ids.map((id) => cluster.kinesisUrlOf(id));
  const shardIds = await createKinesisStream(kinesisUrls[0]!, STREAM_NAME, shardCount);
  await cluster.waitForShardLeaders(STREAM_NAME, shardIds, REPLICATION_FACTOR);
  const adminUrls = cluster.ids.map((id) => cluster.adminUrlOf(id));
  return {
    kinesisUrls,
    shardIds,
    cpuSeconds: async () => {
      const samples = await Promise.all(adminUrls.map((url) => scrapeBroker(url)));
      return samples.reduce((n, sample) => n + sample.cpuSeconds, 0);
    },
    failure: new Promise<never>(() => {}),
  };
}

async function startKinesalite(cleanups: Cleanups, shardCount: number): Promise<Peer> {
  const server = await KinesaliteProcess.start(shardCount);
  cleanups.add(() => server.destroy());
  const shardIds = await createKinesisStream(server.url, STREAM_NAME, shardCount);
  return { kinesisUrls: [server.url], shardIds, cpuSeconds: () => server.cpuSeconds(), failure: server.failure };
}

/** The `put` load through the SDK; the server's CPU is sampled at the window's edges. */
async function putPhase(
  settings: KinesisPeersSettings,
  benchCase: KinesisPeersCase,
  peer: Peer,
  label: string,
  cleanups: Cleanups,
): Promise<PutPhase> {
  const configFor = (index: number): KinesisPutConfig => ({
    kind: "kinesis-put",
    // Producer k starts its lanes' round-robin at endpoint k, so that the brokers get equal shares.
    endpoints: rotated(peer.kinesisUrls, index),
    http: benchCase.http,
    streamName: STREAM_NAME,
    concurrency: settings.concurrencyPerProducer,
    batchRecords: settings.batchRecords,
    recordBytes: settings.recordBytes,
  });
  const producers = startWorkers(cleanups, settings.producers, "producer", "kinesis-worker.js", configFor);
  let serverCpu: Promise<number> | undefined;
  const load = await driveLoad({
    label,
    // No /metrics scrape: the server's CPU is sampled below, the same way for Eddy and kinesalite.
    adminUrls: [],
    workers: producers,
    producers,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    tailMs: 0,
    atSchedule: (schedule: Schedule) => {
      serverCpu = cpuCoresBetween(peer, schedule.measureStartAtMs, schedule.measureEndAtMs);
      serverCpu.catch(() => {});
    },
  });
  return { results: load.results, serverCpuCores: await serverCpu!, machineBusyCores: load.machineBusyCores };
}

/** The server's CPU in cores between two moments (`epochNowMs`), from its cumulative CPU time. */
async function cpuCoresBetween(peer: Peer, fromMs: number, toMs: number): Promise<number> {
  await sleepUntil(fromMs);
  const [first, firstAtMs] = [await peer.cpuSeconds(), epochNowMs()];
  await sleepUntil(toMs);
  const [last, lastAtMs] = [await peer.cpuSeconds(), epochNowMs()];
  return (last - first) / ((lastAtMs - firstAtMs) / 1000);
}

/** Records acknowledged per shard over the whole run, all producers together. */
function ackedByShard(results: readonly WorkerResult[]): Map<string, number> {
  const acked = new Map<string, number>();
  for (const result of results) {
    for (const [shardId, count] of Object.entries(result.ackedRecordsByShard ?? {}))
      acked.set(shardId, (acked.get(shardId) ?? 0) + count);
  }
  return acked;
}

/**
 * Everything acknowledged, read back by reader processes started together, the shards dealt out among
 * them; timed from the common start to the last reader's last record.
 */
async function readPhase(
  settings: KinesisPeersSettings,
  benchCase: KinesisPeersCase,
  peer: Peer,
  acked: ReadonlyMap<string, number>,
  readBoundMs: number,
  label: string,
  cleanups: Cleanups,
): Promise<ReadPhase> {
  const shards = peer.shardIds.map((shardId) => ({ shardId, expectedRecords: acked.get(shardId) ?? 0 }));
  const expectedRecords = shards.reduce((n, shard) => n + shard.expectedRecords, 0);
  const readerCount = Math.min(settings.readers, shards.length);
  const configFor = (index: number): KinesisReadConfig => ({
    kind: "kinesis-read",
    endpoints: rotated(peer.kinesisUrls, index),
    http: benchCase.http,
    streamName: STREAM_NAME,
    shards: shards.filter((_, i) => i % readerCount === index),
    getRecordsLimit: GET_RECORDS_LIMIT,
  });
  const readers = startWorkers(cleanups, readerCount, "reader", "kinesis-worker.js", configFor);
  await Promise.all(readers.map((reader) => reader.ready));
  const startAtMs = epochNowMs() + READ_GO_LEAD_MS;
  const schedule: Schedule = {
    loadStartAtMs: startAtMs,
    measureStartAtMs: startAtMs,
    measureEndAtMs: startAtMs + readBoundMs,
  };
  for (const reader of readers) reader.go(schedule);
  await sleepUntil(startAtMs);
  const [cpuBefore, cpuBeforeAtMs] = [await peer.cpuSeconds(), epochNowMs()];
  const stopProgress = showReadProgress(`${label} read-back`, readers, expectedRecords, startAtMs);
  let results: WorkerResult[];
  try {
    results = await Promise.all(readers.map((reader) => reader.result));
  } finally {
    stopProgress();
  }
  const [cpuAfter, cpuAfterAtMs] = [await peer.cpuSeconds(), epochNowMs()];
  const doneAtMs = Math.max(...results.map((r) => r.readBack?.doneAtMs ?? Number.NaN));
  return {
    results,
    expectedRecords,
    elapsedMs: doneAtMs - startAtMs,
    serverCpuCores: (cpuAfter - cpuBefore) / ((cpuAfterAtMs - cpuBeforeAtMs) / 1000),
  };
}

function showReadProgress(
  label: string,
  readers: readonly WorkerProcess[],
  expectedRecords: number,
  startAtMs: number,
): () => void {
  const bar = new RunProgress(label, Math.max(1, expectedRecords));
  const tick = (): void => {
    const read = readers.reduce((n, reader) => n + reader.progressRecords, 0);
    const elapsedMs = epochNowMs() - startAtMs;
    bar.update(Math.min(read, expectedRecords), "reading", elapsedMs > 0 ? (read * 1000) / elapsedMs : 0);
  };
  const timer = setInterval(tick, READ_PROGRESS_TICK_MS);
  return () => {
    clearInterval(timer);
    tick();
    bar.stop();
  };
}

function outcome(
  settings: KinesisPeersSettings,
  benchCase: KinesisPeersCase,
  put: PutPhase,
  read: ReadPhase,
  context: RunContext<KinesisPeersFigure>,
): {
  figures: Record<KinesisPeersFigure, number>;
  errors: Record<string, number>;
  histograms: Record<string, string>;
  notes: string[];
} {
  const puts = totalOf(put.results);
  const reads = totalOf(read.results);
  const windowSec = settings.durationMs / 1000;
  const putRecordsPerSec = puts.records / windowSec;
  const putMegabytesPerSec = (putRecordsPerSec * settings.recordBytes) / 1e6;
  const putLatency = summarizeMs(puts.latency);
  const readLatency = summarizeMs(reads.latency);
  const readSec = read.elapsedMs / 1000;
  const readBytes = read.results.reduce((n, r) => n + (r.readBack?.bytes ?? 0), 0);
  const unreadRecords = read.results.reduce((n, r) => n + (r.readBack?.unreadRecords ?? 0), 0);
  const readRecordsPerSec = reads.records > 0 ? reads.records / readSec : Number.NaN;
  const producerCpuCores = puts.cpuMs / settings.durationMs;
  // The ratios' reference: the kinesalite case of this run and shard count, absent without kinesalite.
  const reference =
    benchCase.server === "eddy" ? context.figuresOf(caseName(benchCase.shardCount, "kinesalite", "1.1")) : undefined;
  const ratio = (value: number, key: KinesisPeersFigure): number => (reference ? value / reference[key] : Number.NaN);
  const errors: Record<string, number> = { ...puts.errors };
  for (const [name, count] of Object.entries(reads.errors)) errors[`read ${name}`] = count;
  const notes = [
    `read back ${reads.records.toLocaleString("en-US")} of ${read.expectedRecords.toLocaleString("en-US")} ` +
      `acknowledged records (warm-up, window and drain) in ${readSec.toFixed(2)} s, ` +
      `${reads.calls.toLocaleString("en-US")} GetRecords calls by ${read.results.length} readers`,
  ];
  if (unreadRecords > 0) notes.push(`${unreadRecords.toLocaleString("en-US")} acknowledged records were not read back`);
  return {
    figures: {
      putRecordsPerSec,
      putMegabytesPerSec,
      putP50Ms: putLatency.p50Ms,
      putP99Ms: putLatency.p99Ms,
      putP999Ms: putLatency.p999Ms,
      failedRecords: puts.failedRecords + puts.failedCalls * settings.batchRecords,
      serverPutCpuCores: put.serverCpuCores,
      serverCpuMsPerPutMegabyte: (put.serverCpuCores * 1000) / putMegabytesPerSec,
      producerCpuCores,
      otherCpuCores: put.machineBusyCores - put.serverCpuCores - producerCpuCores,
      readRecordsPerSec,
      readMegabytesPerSec: reads.records > 0 ? readBytes / 1e6 / readSec : Number.NaN,
      getRecordsP50Ms: readLatency.p50Ms,
      getRecordsP99Ms: readLatency.p99Ms,
      unreadRecords,
      serverReadCpuCores: read.serverCpuCores,
      readerCpuCores: reads.cpuMs / read.elapsedMs,
      putRecordsPerSecVsKinesalite: ratio(putRecordsPerSec, "putRecordsPerSec"),
      putP50VsKinesalite: ratio(putLatency.p50Ms, "putP50Ms"),
      putP99VsKinesalite: ratio(putLatency.p99Ms, "putP99Ms"),
      readRecordsPerSecVsKinesalite: ratio(readRecordsPerSec, "readRecordsPerSec"),
    },
    errors,
    histograms: { putRecordsLatencyUs: puts.latencyEncoded, getRecordsLatencyUs: reads.latencyEncoded },
    notes,
  };
}

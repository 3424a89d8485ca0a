import { brokerArgs } from "../broker.js";
import { sleepUntil, type Schedule } from "../clock.js";
import { summarizeMs } from "../histogram.js";
import type { ClosedLoopPutConfig, NatsPublishConfig } from "../ipc.js";
import { driveLoad, type LoadOutcome } from "../load.js";
import { NatsCluster, type NatsProbe } from "../nats-cluster.js";
import type { PeersSettings } from "../options.js";
import type { BenchCase, Column, Scenario } from "../scenario.js";
import type { Cleanups } from "../bounded.js";
import type { WorkerProcess } from "../worker-process.js";
import {
  rotated,
  RUN_OVERHEAD_BOUND_MS,
  STREAM_NAME,
  startClusterWithStream,
  startWorkers,
  totalOf,
} from "./common.js";

const CLUSTER_SERVERS = 3;
const REPLICATION_FACTOR = 3;
/** Starting three brokers (or NATS servers) and placing the stream: on top of the load's own bound. */
const CLUSTER_START_BOUND_MS = 60_000;
const NATS_SUBJECT = "bench.records";

export type PeersFigure =
  | "recordsPerSec"
  | "megabytesPerSec"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "serverCpuCores"
  | "producerCpuCores"
  | "failedCalls"
  | "recordsPerSecVsEddy"
  | "p99VsEddy"
  | "cpuPerRecordVsEddy";

const COLUMNS: readonly Column<PeersFigure>[] = [
  { key: "recordsPerSec", label: "records/s", digits: 0 },
  { key: "megabytesPerSec", label: "MB/s", digits: 1 },
  { key: "p50Ms", label: "p50 ms", digits: 2 },
  { key: "p99Ms", label: "p99 ms", digits: 2 },
  { key: "p999Ms", label: "p99.9 ms", digits: 2 },
  { key: "serverCpuCores", label: "servers CPU", digits: 2 },
  { key: "producerCpuCores", label: "producers CPU", digits: 2 },
  { key: "failedCalls", label: "failed calls", digits: 0 },
  { key: "recordsPerSecVsEddy", label: "records/s ÷ Eddy", digits: 2 },
  { key: "p99VsEddy", label: "p99 ÷ Eddy", digits: 2 },
  { key: "cpuPerRecordVsEddy", label: "CPU/record ÷ Eddy", digits: 2 },
];

export interface PeersCase extends BenchCase {
  readonly system: "eddy" | "nats";
}

const EDDY_CASE = (shardCount: number): string =>
  `Eddy, ${shardCount} shard${shardCount === 1 ? "" : "s"} (3 brokers, RF=3)`;
const NATS_CASE = "NATS JetStream (3 servers, R=3)";

/**
 * The same acknowledged-write load against Eddy (three brokers, RF=3) and against a three-server NATS
 * JetStream cluster (one stream, replicas=3) in the same run: closed loop, one record per call (Eddy:
 * PutRecords of 1; NATS: one JetStream publish awaiting its ack). NATS rows are divided by the Eddy row
 * run just before them (the last shard count). Without `nats-server` on PATH the NATS case is skipped and
 * the report says so.
 */
export function peersScenario(settings: PeersSettings, nats: NatsProbe): Scenario<PeersFigure, PeersCase> {
  const args = brokerArgs(settings.fsync);
  const eddyCases: PeersCase[] = settings.shardCounts.map((shardCount) => ({
    name: EDDY_CASE(shardCount),
    shardCount,
    system: "eddy",
  }));
  const referenceCase = eddyCases.at(-1)!.name;
  const cases = nats.available
    ? [...eddyCases, { name: NATS_CASE, shardCount: 1, system: "nats" as const }]
    : eddyCases;
  const peerNote = nats.available
    ? `NATS: ${nats.version}, file storage with the server's default sync (JetStream v2.9 does not fsync each ` +
      `message; Eddy's brokers run --fsync ${settings.fsync}); ratios ÷ "${referenceCase}" of the same run.`
    : `NATS JetStream: skipped, ${nats.reason}.`;
  return {
    name: "peers",
    // Without per-write fsync on Eddy's side too: a comparison of its own, kept beside the default one.
    resultsName: settings.fsync === "never" ? "peers-fsync-never" : "peers",
    runDescription:
      `fresh ${CLUSTER_SERVERS}-server cluster (Eddy brokers or nats-servers) per run, warm-up ` +
      `${settings.warmupMs / 1000} s, measured window ${settings.durationMs / 1000} s`,
    summary:
      `Acknowledged writes of one ${settings.recordBytes} B record per call, closed loop, ${settings.producers} ` +
      `producer processes × ${settings.concurrencyPerProducer} calls in flight, calls spread over the ` +
      `${CLUSTER_SERVERS} servers. Eddy: PutRecords of 1, ON_DEMAND stream, RF=${REPLICATION_FACTOR}. ${peerNote}`,
    settings: {
      ...settings,
      brokerArgs: args,
      replicationFactor: REPLICATION_FACTOR,
      streamMode: "ON_DEMAND",
      nats: nats.available ? { version: nats.version, subject: NATS_SUBJECT } : { skipped: nats.reason },
    },
    columns: COLUMNS,
    cases,
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs:
      settings.runTimeoutMs ?? settings.warmupMs + settings.durationMs + RUN_OVERHEAD_BOUND_MS + CLUSTER_START_BOUND_MS,
    async runOnce(benchCase, label, cleanups, context) {
      const measured =
        benchCase.system === "eddy"
          ? await runEddy(settings, benchCase, label, cleanups)
          : await runNats(settings, label, cleanups);
      const total = totalOf(measured.load.results);
      const windowSec = settings.durationMs / 1000;
      const recordsPerSec = total.records / windowSec;
      const latency = summarizeMs(total.latency);
      const reference = benchCase.system === "nats" ? context.figuresOf(referenceCase) : undefined;
      const cpuPerRecord = (f: { serverCpuCores: number; recordsPerSec: number }): number =>
        f.serverCpuCores / f.recordsPerSec;
      const figures = {
        recordsPerSec,
        megabytesPerSec: (recordsPerSec * settings.recordBytes) / 1e6,
        p50Ms: latency.p50Ms,
        p99Ms: latency.p99Ms,
        p999Ms: latency.p999Ms,
        serverCpuCores: measured.serverCpuCores,
        producerCpuCores: total.cpuMs / settings.durationMs,
        failedCalls: total.failedCalls,
      };
      return {
        figures: {
          ...figures,
          recordsPerSecVsEddy: reference ? recordsPerSec / reference.recordsPerSec : Number.NaN,
          p99VsEddy: reference ? latency.p99Ms / reference.p99Ms : Number.NaN,
          cpuPerRecordVsEddy: reference ? cpuPerRecord(figures) / cpuPerRecord(reference) : Number.NaN,
        },
        errors: total.errors,
        histograms: { writeLatencyUs: total.latencyEncoded },
      };
    },
  };
}

interface Measured {
  readonly load: LoadOutcome;
  readonly serverCpuCores: number;
}

async function runEddy(
  settings: PeersSettings,
  benchCase: PeersCase,
  label: string,
  cleanups: Cleanups,
): Promise<Measured> {
  const { cluster } = await startClusterWithStream(
    cleanups,
    CLUSTER_SERVERS,
    REPLICATION_FACTOR,
    brokerArgs(settings.fsync),
    benchCase.shardCount,
  );
  const endpoints = cluster.ids.map((id) => cluster.endpointOf(id));
  const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", (index) => {
    const config: ClosedLoopPutConfig = {
      kind: "closed-loop-put",
      endpoints: rotated(endpoints, index),
      streamName: STREAM_NAME,
      concurrency: settings.concurrencyPerProducer,
      batchRecords: 1,
      recordBytes: settings.recordBytes,
    };
    return config;
  });
  const load = await drive(settings, label, producers, {
    adminUrls: cluster.ids.map((id) => cluster.adminUrlOf(id)),
  });
  return { load, serverCpuCores: load.broker.cpuCores };
}

async function runNats(settings: PeersSettings, label: string, cleanups: Cleanups): Promise<Measured> {
  const nats = await NatsCluster.start();
  cleanups.add(() => nats.destroy());
  await nats.createStream(STREAM_NAME, NATS_SUBJECT, REPLICATION_FACTOR);
  const producers = startWorkers(cleanups, settings.producers, "producer", "nats-worker.js", (index) => {
    const config: NatsPublishConfig = {
      kind: "nats-publish",
      // Producer k connects to server k first, so that the connections spread over the servers.
      servers: rotated(nats.urls, index),
      subject: NATS_SUBJECT,
      concurrency: settings.concurrencyPerProducer,
      recordBytes: settings.recordBytes,
    };
    return config;
  });
  // The servers' CPU over the window, from /proc at the window's edges (NATS has no /metrics here).
  let cpuAtStart: Promise<number[]> | undefined;
  let cpuAtEnd: Promise<number[]> | undefined;
  const load = await drive(settings, label, producers, {
    adminUrls: [],
    atSchedule: (schedule) => {
      cpuAtStart = sleepUntil(schedule.measureStartAtMs).then(() => nats.cpuSeconds());
      cpuAtEnd = sleepUntil(schedule.measureEndAtMs).then(() => nats.cpuSeconds());
    },
  });
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  const [start, end] = [await cpuAtStart, await cpuAtEnd];
  const serverCpuCores = start && end ? (sum(end) - sum(start)) / (settings.durationMs / 1000) : Number.NaN;
  return { load, serverCpuCores };
}

function drive(
  settings: PeersSettings,
  label: string,
  producers: WorkerProcess[],
  extra: { adminUrls: readonly string[]; atSchedule?: (schedule: Schedule) => void },
): Promise<LoadOutcome> {
  return driveLoad({
    label,
    adminUrls: extra.adminUrls,
    workers: producers,
    producers,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    tailMs: 0,
    ...(extra.atSchedule ? { atSchedule: extra.atSchedule } : {}),
  });
}

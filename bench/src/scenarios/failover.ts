import { EddyClient } from "@eddy/client";
import { brokerArgs } from "../broker.js";
import { epochNowMs } from "../clock.js";
import { REJOIN_TIMEOUT_MS, shardLeader, type LocalCluster, type ShardLeader } from "../cluster.js";
import type { SendTimeline } from "../ipc.js";
import { driveLoad } from "../load.js";
import type { PacedSettings } from "../options.js";
import type { Column, FiguresChart, Scenario } from "../scenario.js";
import {
  RUN_OVERHEAD_BOUND_MS,
  STREAM_NAME,
  startClusterWithStream,
  startWorkers,
  totalOf,
  type ClusterWithStream,
} from "./common.js";
import { IN_FLIGHT_MAX_PER_PRODUCER, openLoopProducerConfig } from "./put-latency.js";

const CLUSTER_BROKERS = 3;
const REPLICATION_FACTOR = 3;
/**
 * A put slower than this (from its due time) is a stall to its producer, not "steady" success. Well above
 * this shared machine's noise (under load its p99 before the kill reaches ~200 ms), so that one noisy
 * moment late in the window does not read as "never steady".
 */
const STEADY_LATENCY_MAX_MS = 1_000;
/** Steady means at least this long of puts in a row, all successful and fast, up to the window's end. */
const STEADY_STRETCH_MIN_MS = 2_000;
/** The latency before the kill is taken over this last part of the warm-up. */
const BASELINE_MS = 1_000;
/** How often the survivors' /v1/status is read after the kill, to see the new leader. */
const LEADER_POLL_INTERVAL_MS = 25;
/** Starting the cluster (first run only) and the restarted broker's rejoin, on top of the load's time. */
const CLUSTER_START_BOUND_MS = 60_000;
/** Settling: rounds of one probe put through every broker, this far apart, until a round fully succeeds. */
const SETTLE_PROBE_INTERVAL_MS = 100;
const SETTLE_TIMEOUT_MS = 30_000;
/** The timeline in raw/ counts sends in slices of this length. */
const TIMELINE_SLICE_MS = 100;
/** Deadline of one probe put: a healthy cluster answers in milliseconds. */
const SETTLE_PROBE_DEADLINE_MS = 2_000;

export type FailoverFigure =
  | "baselineP50Ms"
  | "baselineP99Ms"
  | "leaderSeenMs"
  | "firstOkMs"
  | "steadyMs"
  | "failedPuts"
  | "slowestOkMs"
  | "rejoinMs"
  | "settledMs"
  | "settleFailedPuts";

const COLUMNS: readonly Column<FailoverFigure>[] = [
  { key: "baselineP50Ms", label: "p50 before kill ms", digits: 2 },
  { key: "baselineP99Ms", label: "p99 before kill ms", digits: 2 },
  { key: "leaderSeenMs", label: "new leader seen ms", digits: 0 },
  { key: "firstOkMs", label: "first ok ms", digits: 0 },
  { key: "steadyMs", label: "steady ms", digits: 0 },
  { key: "failedPuts", label: "failed puts", digits: 0 },
  { key: "slowestOkMs", label: "slowest ok put ms", digits: 0 },
  { key: "rejoinMs", label: "rejoin ms", digits: 0 },
  { key: "settledMs", label: "settled ms", digits: 0 },
  { key: "settleFailedPuts", label: "failed probes", digits: 0 },
];

/** The recovery times, charted (recovery.svg). */
export const FAILOVER_CHART: FiguresChart<FailoverFigure> = {
  fileName: "recovery.svg",
  what: "recovery times",
  columns: ["leaderSeenMs", "firstOkMs", "steadyMs", "rejoinMs", "settledMs"],
  valueAxisLabel: "ms from the kill (rejoin, settled: from the restart)",
};

/**
 * Leader failover under load: three brokers, a 1-shard stream, producers putting at a fixed rate (open
 * loop) through the two brokers that will survive; at the window's start the shard's leader is SIGKILLed.
 * Measured from the kill: when a survivor reports a new leader, when the first put sent after the kill
 * succeeds, when puts succeed steadily again. Then the killed broker is restarted on its data directory
 * and ports, and timed until it has caught up, and until the cluster has settled (leadership back on the
 * preferred replica, a put through every broker succeeds). One cluster serves all runs.
 */
export function failoverScenario(settings: PacedSettings): Scenario<FailoverFigure> {
  const args = brokerArgs(settings.fsync);
  let started: ClusterWithStream | undefined;
  return {
    name: "failover",
    summary:
      `${CLUSTER_BROKERS} brokers, 1-shard ON_DEMAND stream (RF=${REPLICATION_FACTOR}), broker --fsync ${settings.fsync}; ` +
      `PutRecord of ${settings.recordBytes} B at ${settings.rateRecordsPerSec} calls/s, open loop, from ${settings.producers} ` +
      `producer processes, round-robin over the two brokers that are not the shard's leader; the leader is SIGKILLed ` +
      `after the warm-up. Times in ms from the kill. "steady": puts sent from then on all succeed within ` +
      `${STEADY_LATENCY_MAX_MS} ms (for ≥ ${STEADY_STRETCH_MIN_MS / 1000} s, to the window's end). After each run the ` +
      `killed broker is restarted (same data directory, ports); "rejoin" and "settled" are from its restart.`,
    runDescription:
      `one cluster for all runs; warm-up ${settings.warmupMs / 1000} s of load, the kill, ` +
      `${settings.durationMs / 1000} s of load measured; then the killed broker's restart, rejoin and settling`,
    settings: {
      ...settings,
      shardCounts: [1],
      brokerArgs: args,
      clusterBrokers: CLUSTER_BROKERS,
      streamMode: "ON_DEMAND",
      steadyLatencyMaxMs: STEADY_LATENCY_MAX_MS,
      steadyStretchMinMs: STEADY_STRETCH_MIN_MS,
      baselineMs: BASELINE_MS,
      leaderPollIntervalMs: LEADER_POLL_INTERVAL_MS,
      settleProbeIntervalMs: SETTLE_PROBE_INTERVAL_MS,
      inFlightMaxPerProducer: IN_FLIGHT_MAX_PER_PRODUCER,
    },
    columns: COLUMNS,
    figuresChart: FAILOVER_CHART,
    cases: [{ name: `1 shard, ${CLUSTER_BROKERS} brokers`, shardCount: 1 }],
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs:
      settings.runTimeoutMs ??
      settings.warmupMs +
        settings.durationMs +
        RUN_OVERHEAD_BOUND_MS +
        CLUSTER_START_BOUND_MS +
        REJOIN_TIMEOUT_MS +
        2 * SETTLE_TIMEOUT_MS,
    async runOnce(benchCase, label, cleanups, context) {
      // The cluster outlives the run (each run restarts the broker it killed), so the scenario cleans it up.
      started ??= await startClusterWithStream(
        context.scenarioCleanups,
        CLUSTER_BROKERS,
        REPLICATION_FACTOR,
        args,
        benchCase.shardCount,
      );
      const { cluster, shardIds } = started;
      const shardId = shardIds[0]!;
      // Settled by the run before (or new); checked again so that no run starts on a moving leadership.
      const { leader } = await settle(cluster, shardId);
      const victim = leader.brokerId;
      const victimLedController = (await cluster.statuses([victim])).get(victim)?.controller.role === "leader";
      const survivors = cluster.ids.filter((id) => id !== victim);

      const logMark = cluster.logMark();
      const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", (index) =>
        openLoopProducerConfig(
          { ...settings, batchRecords: 1 },
          survivors.map((id) => cluster.endpointOf(id)),
          index,
          false,
          true,
        ),
      );
      let killAtMs = Number.NaN;
      let newLeader: Promise<NewLeader | undefined> = Promise.resolve(undefined);
      const load = await driveLoad({
        label,
        adminUrls: survivors.map((id) => cluster.adminUrlOf(id)),
        workers: producers,
        producers,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        tailMs: 0,
        atWindowStart: async () => {
          // The kill must hit the leader: a leadership that moved during the warm-up would fake a failover.
          const current = shardLeader(await cluster.statuses(), STREAM_NAME, shardId);
          if (current?.brokerId !== victim || current.group.term !== leader.group.term) {
            throw new Error(
              `${shardId} was led by ${victim} in term ${leader.group.term} before the load, ` +
                `by ${current ? `${current.brokerId} in term ${current.group.term}` : "nobody"} at the kill; not killed`,
            );
          }
          killAtMs = epochNowMs();
          cluster.killNow(victim);
          newLeader = watchForNewLeader(cluster, survivors, shardId, leader.group.term, killAtMs + settings.durationMs);
        },
      });
      const elected = await newLeader;
      await cluster.waitForExit(victim);
      const timelines = load.results.flatMap((r) => r.timeline ?? []);
      const timeline = analyse(timelines.flatMap(sendsOf), killAtMs, load.schedule.measureEndAtMs);

      const restartAtMs = performance.now();
      await cluster.restart(victim);
      await cluster.waitForRejoin(victim, STREAM_NAME, shardId);
      const rejoinMs = performance.now() - restartAtMs;
      const settled = await settle(cluster, shardId);
      const settledMs = performance.now() - restartAtMs;
      const warnings = cluster.warningsSince(logMark);

      const killed =
        `killed ${victim} (shard leader in term ${leader.group.term}` +
        `${victimLedController ? ", also the controller's leader" : ""}); ` +
        (elected ? `new leader ${elected.brokerId} in term ${elected.term}` : `no new leader seen within the window`) +
        `; ${timeline.postKillSends} puts sent after the kill`;
      return {
        figures: {
          baselineP50Ms: timeline.baselineP50Ms,
          baselineP99Ms: timeline.baselineP99Ms,
          leaderSeenMs: elected ? elected.seenAtMs - killAtMs : Number.NaN,
          firstOkMs: timeline.firstOkMs,
          steadyMs: timeline.steadyMs,
          failedPuts: timeline.failedPuts,
          slowestOkMs: timeline.slowestOkMs,
          rejoinMs,
          settledMs,
          settleFailedPuts: countOf(settled.errors),
        },
        errors: timeline.errors,
        histograms: { putRecordLatencyUs: totalOf(load.results).latencyEncoded },
        raw: { timeline: timelineSlices(timelines.flatMap(sendsOf), killAtMs) },
        notes: [
          killed,
          ...(timeline.failedBeforeKill > 0
            ? [`${timeline.failedBeforeKill} puts failed before the kill (the cluster was not steady)`]
            : []),
          ...describeSamples("before the kill", errorSamplesBetween(timelines, -Infinity, killAtMs)),
          ...describeSamples("after the kill", errorSamplesBetween(timelines, killAtMs, Infinity)),
          `after the restart: leadership back on ${settled.leader.brokerId} in term ${settled.leader.group.term}` +
            (countOf(settled.errors) > 0
              ? `; probe puts failed ${Object.entries(settled.errors)
                  .map(([name, count]) => `${name} × ${count}`)
                  .join(", ")} before one through every broker succeeded`
              : ""),
          ...describeSamples("probes after the restart", settled.samples),
          ...(warnings.length > 0 ? [`brokers' warnings during the run: ${warnings.join(", ")}`] : []),
        ],
      };
    },
  };
}

interface Settled {
  readonly leader: ShardLeader;
  /** Probe puts that failed before a round succeeded, by error name. */
  readonly errors: Record<string, number>;
  readonly samples: Record<string, string[]>;
}

/**
 * Waits until the shard is led by its preferred replica and a put through every broker succeeds. A
 * restarted broker gets its leadership back once caught up, and the other brokers forward to it only
 * when their connection to it works again, which is not at once; a run starting earlier would measure that.
 */
async function settle(cluster: LocalCluster, shardId: string): Promise<Settled> {
  const leader = await cluster.waitForPreferredLeader(STREAM_NAME, shardId);
  const clients = cluster.ids.map(
    (id) => new EddyClient({ endpoint: cluster.endpointOf(id), deadlineMs: SETTLE_PROBE_DEADLINE_MS }),
  );
  const errors: Record<string, number> = {};
  const samples: Record<string, string[]> = {};
  const deadlineMs = performance.now() + SETTLE_TIMEOUT_MS;
  try {
    for (;;) {
      const failures = (
        await Promise.all(
          clients.map((client) =>
            client.putRecord({ streamName: STREAM_NAME, partitionKey: "settle", data: Buffer.from("settle") }).then(
              () => undefined,
              (error: unknown) => error,
            ),
          ),
        )
      ).filter((failure) => failure !== undefined);
      if (failures.length === 0) return { leader, errors, samples };
      for (const failure of failures) {
        const name = failure instanceof Error ? failure.name : "UnknownError";
        const message = failure instanceof Error ? failure.message : String(failure);
        errors[name] = (errors[name] ?? 0) + 1;
        const kept = (samples[name] ??= []);
        if (kept.length < 3 && !kept.includes(message)) kept.push(message);
      }
      if (performance.now() >= deadlineMs) {
        throw new Error(
          `puts through every broker still failed after ${SETTLE_TIMEOUT_MS} ms: ${JSON.stringify(samples)}\n` +
            cluster.recentWarnings(),
        );
      }
      await new Promise((done) => setTimeout(done, SETTLE_PROBE_INTERVAL_MS));
    }
  } finally {
    for (const client of clients) client.close();
  }
}

function countOf(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((n, c) => n + c, 0);
}

/** The producers' distinct failure messages per error name, of failures that came in [fromMs, toMs). */
function errorSamplesBetween(
  timelines: readonly SendTimeline[],
  fromMs: number,
  toMs: number,
): Record<string, string[]> {
  const samples: Record<string, string[]> = {};
  for (const timeline of timelines) {
    for (const [name, found] of Object.entries(timeline.errorSamples)) {
      for (const { message, atMs } of found) {
        if (atMs < fromMs || atMs >= toMs) continue;
        const merged = (samples[name] ??= []);
        if (!merged.includes(message)) merged.push(message);
      }
    }
  }
  return samples;
}

function describeSamples(when: string, samples: Record<string, string[]>): string[] {
  return Object.entries(samples).map(
    ([name, messages]) => `${name} ${when} said: ${messages.map((m) => `"${m}"`).join("; ")}`,
  );
}

interface NewLeader {
  readonly brokerId: string;
  readonly term: number;
  /** When the status saying so arrived, on the `epochNowMs` clock. */
  readonly seenAtMs: number;
}

/** Polls the survivors until one reports leading the shard in a later term, or until `untilMs` (epochNowMs). */
async function watchForNewLeader(
  cluster: LocalCluster,
  survivors: readonly string[],
  shardId: string,
  killedTerm: number,
  untilMs: number,
): Promise<NewLeader | undefined> {
  while (epochNowMs() < untilMs) {
    const statuses = await cluster.statuses(survivors);
    const found = shardLeader(statuses, STREAM_NAME, shardId);
    if (found && found.group.term > killedTerm)
      return { brokerId: found.brokerId, term: found.group.term, seenAtMs: epochNowMs() };
    await new Promise((done) => setTimeout(done, LEADER_POLL_INTERVAL_MS));
  }
  return undefined;
}

interface Send {
  readonly dueAtMs: number;
  readonly sentAtMs: number;
  readonly doneAtMs: number;
  readonly error: string | null;
}

function sendsOf(timeline: SendTimeline): Send[] {
  return timeline.dueAtMs.map((dueAtMs, i) => ({
    dueAtMs,
    sentAtMs: timeline.sentAtMs[i]!,
    doneAtMs: timeline.doneAtMs[i]!,
    error: timeline.error[i]!,
  }));
}

interface TimelineFigures {
  readonly baselineP50Ms: number;
  readonly baselineP99Ms: number;
  readonly firstOkMs: number;
  readonly steadyMs: number;
  readonly failedPuts: number;
  readonly slowestOkMs: number;
  readonly postKillSends: number;
  /** Sends of the warm-up that failed before the kill: there should be none. */
  readonly failedBeforeKill: number;
  readonly errors: Record<string, number>;
}

/**
 * The producers' sends around the kill, all times from the kill. A send's latency runs from when it was
 * due (as in put-latency). NaN where nothing qualifies (no success after the kill, never steady).
 */
export function analyse(sends: readonly Send[], killAtMs: number, windowEndAtMs: number): TimelineFigures {
  const byDue = [...sends].sort((a, b) => a.dueAtMs - b.dueAtMs);
  const latencyMs = (s: Send): number => s.doneAtMs - s.dueAtMs;
  const ok = (s: Send): boolean => s.error === null;

  const baseline = byDue.filter((s) => s.dueAtMs >= killAtMs - BASELINE_MS && s.doneAtMs < killAtMs && ok(s));
  // Sent after the kill: such a put cannot have been on its way to the dead leader already.
  const postKill = byDue.filter((s) => s.sentAtMs >= killAtMs && s.dueAtMs < windowEndAtMs);
  const firstOkAtMs = Math.min(...postKill.filter(ok).map((s) => s.doneAtMs));
  const lastBad = postKill.findLastIndex((s) => !ok(s) || latencyMs(s) > STEADY_LATENCY_MAX_MS);
  const steadyFrom = postKill[lastBad + 1];
  const steadyStretchMs = steadyFrom ? postKill[postKill.length - 1]!.sentAtMs - steadyFrom.sentAtMs : 0;

  // Every put that ended after the kill, whenever it was sent: those in flight to the leader count too.
  const ended = sends.filter((s) => s.doneAtMs >= killAtMs && s.dueAtMs < windowEndAtMs);
  const errors: Record<string, number> = {};
  for (const s of ended) if (s.error !== null) errors[s.error] = (errors[s.error] ?? 0) + 1;
  const okLatencies = ended.filter(ok).map(latencyMs);
  return {
    baselineP50Ms: percentile(baseline.map(latencyMs), 50),
    baselineP99Ms: percentile(baseline.map(latencyMs), 99),
    firstOkMs: Number.isFinite(firstOkAtMs) ? firstOkAtMs - killAtMs : Number.NaN,
    steadyMs: steadyFrom && steadyStretchMs >= STEADY_STRETCH_MIN_MS ? steadyFrom.doneAtMs - killAtMs : Number.NaN,
    failedPuts: ended.filter((s) => !ok(s)).length,
    slowestOkMs: okLatencies.length > 0 ? Math.max(...okLatencies) : Number.NaN,
    postKillSends: postKill.length,
    failedBeforeKill: sends.filter((s) => s.doneAtMs < killAtMs && !ok(s)).length,
    errors,
  };
}

/**
 * The sends by when they were sent, in slices of TIMELINE_SLICE_MS from the kill (negative: before it):
 * how many went out, how many of those succeeded or failed, and the slowest of them (from due time).
 */
function timelineSlices(sends: readonly Send[], killAtMs: number): object {
  const slices = new Map<number, { sent: number; ok: number; failed: number; maxLatencyMs: number }>();
  for (const send of sends) {
    const sliceStartMs = Math.floor((send.sentAtMs - killAtMs) / TIMELINE_SLICE_MS) * TIMELINE_SLICE_MS;
    let slice = slices.get(sliceStartMs);
    if (!slice) slices.set(sliceStartMs, (slice = { sent: 0, ok: 0, failed: 0, maxLatencyMs: 0 }));
    slice.sent += 1;
    if (send.error === null) slice.ok += 1;
    else slice.failed += 1;
    slice.maxLatencyMs = Math.max(slice.maxLatencyMs, Math.round(send.doneAtMs - send.dueAtMs));
  }
  return {
    description: `sends by send time in ${TIMELINE_SLICE_MS} ms slices from the kill; latency from due time`,
    slices: [...slices].sort(([a], [b]) => a - b).map(([fromKillMs, slice]) => ({ fromKillMs, ...slice })),
  };
}

/** Nearest-rank percentile; NaN for no values. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

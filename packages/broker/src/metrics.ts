import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** What the application gauges show, as read from the controller state when scraped. */
export interface ApplicationsView {
  readonly applications: ReadonlyArray<{ stream: string; application: string; liveWorkers: number }>;
  readonly shards: ReadonlyArray<{
    labels: { stream: string; application: string; shard: string };
    millisBehindLatest?: number;
    checkpointAgeMs?: number;
    halted: boolean;
  }>;
}
import type { RaftStatus } from "@eddy/raft";
import type { ShardLogProbe } from "./shard-log.js";

/** Where the probe finds every shard replica's Raft status at scrape time. */
export type RaftStatusSource = () => Iterable<{
  readonly stream: string;
  readonly shard: string;
  readonly status: RaftStatus;
}>;

/**
 * The only place that knows prom-client. Names follow Kinesis's CloudWatch metrics where one exists
 * (IncomingRecords, IncomingBytes, PutRecord.Latency, GetRecords.IteratorAgeMilliseconds,
 * WriteProvisionedThroughputExceeded), in Prometheus form.
 */
export class BrokerProbe {
  readonly registry = new Registry();
  private readonly incomingRecords = new Counter({
    name: "eddy_incoming_records_total",
    help: "Records accepted by PutRecord and PutRecords",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly incomingBytes = new Counter({
    name: "eddy_incoming_bytes_total",
    help: "Bytes (data plus partition key) accepted",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly putLatency = new Histogram({
    name: "eddy_put_latency_seconds",
    help: "Time from receiving a put to acknowledging it",
    labelNames: ["stream", "operation"],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly outgoingRecords = new Counter({
    name: "eddy_outgoing_records_total",
    help: "Records returned by GetRecords and pushed by SubscribeToShard",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly outgoingBytes = new Counter({
    name: "eddy_outgoing_bytes_total",
    help: "Bytes returned by GetRecords and pushed by SubscribeToShard",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly iteratorAge = new Gauge({
    name: "eddy_iterator_age_milliseconds",
    help: "millisBehindLatest of the most recent read",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly throttledCalls = new Counter({
    name: "eddy_throttled_total",
    help: "Calls or records refused with ProvisionedThroughputExceededException",
    labelNames: ["stream", "operation"],
    registers: [this.registry],
  });
  private readonly clusterRefused = new Counter({
    name: "eddy_cluster_calls_refused_total",
    help: "Cluster-service calls and peer streams refused for want of a broker certificate of the cluster CA",
    labelNames: ["call", "code"],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: "eddy_errors_total",
    help: "Calls that failed, by Kinesis error name",
    labelNames: ["operation", "error"],
    registers: [this.registry],
  });
  private readonly subscribers = new Gauge({
    name: "eddy_subscribers",
    help: "Open SubscribeToShard calls",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly batchRecords = new Histogram({
    name: "eddy_log_batch_records",
    help: "Records per group-commit batch (one log entry, one LevelDB write)",
    buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000],
    registers: [this.registry],
  });
  private readonly batchPuts = new Histogram({
    name: "eddy_log_batch_puts",
    help: "Put calls answered by one group-commit batch",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  private readonly batchWriteSeconds = new Histogram({
    name: "eddy_log_batch_write_seconds",
    help: "Time to encode and durably write one batch",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    registers: [this.registry],
  });
  private readonly trimmedEntries = new Counter({
    name: "eddy_retention_trimmed_entries_total",
    help: "Log entries removed by retention",
    registers: [this.registry],
  });

  private readonly leaderChanges = new Counter({
    name: "eddy_raft_leader_changes_total",
    help: "Changes of a shard replica's Raft role or known leader (elections, step-downs)",
    labelNames: ["stream", "shard"],
    registers: [this.registry],
  });
  private readonly elections = new Counter({
    name: "eddy_raft_elections_total",
    help: "Elections this replica started (as pre-candidate or candidate); shard 'controller' is the controller group",
    labelNames: ["stream", "shard"],
    registers: [this.registry],
  });
  private readonly forwardedCalls = new Counter({
    name: "eddy_forwarded_calls_total",
    help: "Calls this broker passed on to the shard's leader (or a replica) instead of serving them",
    labelNames: ["operation"],
    registers: [this.registry],
  });
  private raftStatuses: RaftStatusSource = () => [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "eddy_" });
    this.raftGauge("eddy_raft_term", "Current Raft term of the shard replica", (s) => s.term);
    this.raftGauge("eddy_raft_commit_index", "Highest log index known committed", (s) => s.commitIndex);
    this.raftGauge("eddy_raft_applied_index", "Highest log index applied (visible to readers)", (s) => s.appliedIndex);
    this.raftGauge("eddy_raft_is_leader", "1 when this replica leads the shard's group", (s) =>
      s.role === "leader" ? 1 : 0,
    );
    this.raftGauge("eddy_raft_max_follower_lag_entries", "How far the slowest follower is behind (leaders only)", (s) =>
      s.progress.reduce((lag, p) => Math.max(lag, s.lastIndex - p.match), 0),
    );
  }

  /** The bytes the shard tail caches hold together, read when scraped. */
  watchTailCaches(bytes: () => number): void {
    new Gauge({
      name: "eddy_tail_cache_bytes",
      help: "Bytes of decoded recent entries cached for all shards of this broker (bounded by --tail-cache-total-bytes)",
      registers: [this.registry],
      collect() {
        this.set(bytes());
      },
    });
  }

  /**
   * The store's LevelDB batches and the group writes (entries, hard states) they carried, read when
   * scraped: their ratio is how much the write coalescing saves, and batches per put is the write cost
   * of the append path.
   */
  watchStoreWrites(counts: () => { readonly batches: number; readonly writes: number }): void {
    new Counter({
      name: "eddy_store_write_batches_total",
      help: "LevelDB write batches of this broker's store (each one native call, synced when any write in it must be)",
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(counts().batches);
      },
    });
    new Counter({
      name: "eddy_store_group_writes_total",
      help: "Raft groups' log writes (entries and hard state) carried by those batches",
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(counts().writes);
      },
    });
  }

  /**
   * Consumer applications' progress from the controller state, read when scraped. Every broker holds the
   * same state, so any one broker's figures are the cluster's (aggregate with max, not sum).
   */
  watchApplications(source: () => ApplicationsView): void {
    const gauge = (
      name: string,
      help: string,
      labelNames: string[],
      fill: (g: Gauge, view: ApplicationsView) => void,
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          fill(this, source());
        },
      });
    const shardLabels = ["stream", "application", "shard"];
    gauge(
      "eddy_application_millis_behind_latest",
      "How far behind the shard's tip its owner last reported reading, ms",
      shardLabels,
      (g, view) => {
        for (const s of view.shards) if (s.millisBehindLatest !== undefined) g.set(s.labels, s.millisBehindLatest);
      },
    );
    gauge(
      "eddy_application_checkpoint_age_seconds",
      "Time since the shard's checkpoint was written",
      shardLabels,
      (g, view) => {
        for (const s of view.shards) if (s.checkpointAgeMs !== undefined) g.set(s.labels, s.checkpointAgeMs / 1000);
      },
    );
    gauge(
      "eddy_application_shard_halted",
      "1 while the shard's owner reports it stopped by the halt policy",
      shardLabels,
      (g, view) => {
        for (const s of view.shards) g.set(s.labels, s.halted ? 1 : 0);
      },
    );
    gauge(
      "eddy_application_live_workers",
      "Workers of the application heartbeating within the lease timeout",
      ["stream", "application"],
      (g, view) => {
        for (const a of view.applications) g.set({ stream: a.stream, application: a.application }, a.liveWorkers);
      },
    );
  }

  /** Per-shard Raft figures are read from the replicas when scraped, not pushed on every change. */
  watchRaft(source: RaftStatusSource): void {
    this.raftStatuses = source;
  }

  private raftGauge(name: string, help: string, value: (status: RaftStatus) => number): void {
    const source = () => this.raftStatuses();
    new Gauge({
      name,
      help,
      labelNames: ["stream", "shard"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { stream, shard, status } of source()) this.set({ stream, shard }, value(status));
      },
    });
  }

  /** The probe a shard's log reports to. */
  forShard(stream: string, shard: string): ShardLogProbe {
    return {
      batchCommitted: (records, _bytes, puts, durationMs) => {
        this.batchRecords.observe(records);
        this.batchPuts.observe(puts);
        this.batchWriteSeconds.observe(durationMs / 1000);
      },
      roleChanged: (state) => this.roleChanged(stream, shard, state.role),
    };
  }

  /** A Raft role or known leader changed; entering an election counts one. */
  roleChanged(stream: string, shard: string, role: string): void {
    this.leaderChanges.inc({ stream, shard });
    if (role === "candidate" || role === "pre-candidate") this.elections.inc({ stream, shard });
  }

  forwarded(operation: string): void {
    this.forwardedCalls.inc({ operation });
  }

  recordsPut(stream: string, operation: string, records: number, bytes: number, durationMs: number): void {
    this.incomingRecords.inc({ stream }, records);
    this.incomingBytes.inc({ stream }, bytes);
    this.putLatency.observe({ stream, operation }, durationMs / 1000);
  }

  recordsRead(stream: string, records: number, bytes: number, millisBehindLatest: number): void {
    this.outgoingRecords.inc({ stream }, records);
    this.outgoingBytes.inc({ stream }, bytes);
    this.iteratorAge.set({ stream }, millisBehindLatest);
  }

  throttled(stream: string, operation: string): void {
    this.throttledCalls.inc({ stream, operation });
  }

  failed(operation: string, error: string): void {
    this.errors.inc({ operation, error });
  }

  subscriberChanged(stream: string, delta: number): void {
    this.subscribers.inc({ stream }, delta);
  }

  trimmed(entries: number): void {
    this.trimmedEntries.inc(entries);
  }

  /** A caller without a broker certificate was turned away from the cluster service. */
  clusterCallRefused(call: string, code: string): void {
    this.clusterRefused.inc({ call, code });
  }
}

import type { Logger } from "pino";
import {
  decodeSequenceNumber,
  KinesisError,
  parentsOf,
  serviceUnavailable,
  type ControllerState,
  type ReplicatedShard,
  type Shard,
} from "@eddy/core";
import { ConfChangeType, type Message, type RaftConfig, type RaftStatus } from "@eddy/raft";
import type { Store } from "@eddy/storage";
import type { BrokerConfig } from "../config.js";
import type { BrokerProbe } from "../metrics.js";
import { ShardLog } from "../shard-log.js";
import { ByteBudget } from "../budget.js";

/** A replica whose match index is within this many entries of the leader's commit is caught up. */
const CAUGHT_UP_ENTRIES = 8;
/** How far before a reshard's start a restarted replica looks for its seal (brokers' clocks differ a little). */
const SEAL_SCAN_CLOCK_MARGIN_MS = 60_000;

/** On a leader's status: whether member `id` holds the log to within CAUGHT_UP_ENTRIES of the commit index. */
export function isCaughtUp(status: RaftStatus, id: string): boolean {
  const progress = status.progress.find((p) => p.id === id);
  return progress !== undefined && progress.match + CAUGHT_UP_ENTRIES >= status.commitIndex;
}

interface Hosted {
  readonly log: ShardLog;
  readonly streamName: string;
  shard: ReplicatedShard;
  /** The placement for which this broker, leading, last found nothing to change: a quiet group needs no look. */
  settledFor: ReplicatedShard | undefined;
}

export interface ShardReplicasOptions {
  readonly selfId: string;
  readonly raft: Omit<RaftConfig, "id">;
  readonly send: (groupId: number, message: Message) => void;
  /** Whether a broker currently has a working peer stream to this one (self counts as connected). */
  readonly isConnected: (brokerId: string) => boolean;
  /** A replica was opened (callers waiting to route to it look again). */
  readonly opened: () => void;
}

/**
 * The shard replicas this broker hosts, kept in line with the controller's placement: `reconcile` opens
 * the groups placed here and destroys those placed elsewhere (a stream deleted, or a replica moved away
 * while this broker was down). For the groups it leads, `manageMembership` moves the Raft configuration
 * one step at a time toward the placement (add as learner, promote once caught up, then remove the old
 * voter) and hands leadership to the preferred replica, so leaders spread over brokers.
 */
export class ShardReplicas {
  private readonly byGroup = new Map<number, Hosted>();
  /**
   * The groups that may be awake: ticked each tick, and dropped from here once found quiet. Any input
   * to a group puts it back, so a thousand quiet groups cost nothing per tick.
   */
  private readonly awake = new Set<Hosted>();
  private reconciling: Promise<void> = Promise.resolve();
  /** One budget for every replica's tail cache, so the broker's memory does not grow with its shard count. */
  readonly tailCacheBudget: ByteBudget;
  /** One budget for the puts waiting in every replica's queue. */
  readonly queueBudget: ByteBudget;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly config: BrokerConfig,
    private readonly probe: BrokerProbe,
    private readonly logger: Logger,
    private readonly options: ShardReplicasOptions,
  ) {
    this.tailCacheBudget = new ByteBudget(config.tailCacheBytesTotalMax);
    this.queueBudget = new ByteBudget(config.queueBytesTotalMax);
  }

  /** The local replica of a shard, if this broker hosts one. */
  find(shard: Shard): ShardLog | undefined {
    return this.byGroup.get(shard.groupId)?.log;
  }

  get(shard: Shard): ShardLog {
    const log = this.find(shard);
    if (!log) throw serviceUnavailable(`Shard ${shard.shardId} has no replica on this broker.`);
    return log;
  }

  /** A Raft message for group `groupId`; dropped if the group is not open here (yet): Raft re-sends. */
  step(groupId: number, message: Message): void {
    this.byGroup.get(groupId)?.log.step(message);
  }

  tickAll(): void {
    for (const hosted of this.awake) {
      // A quiet group's tick changes nothing (no heartbeat, no election timer).
      if (hosted.log.quiesced || !this.byGroup.has(hosted.shard.groupId)) this.awake.delete(hosted);
      else hosted.log.tick();
    }
  }

  /**
   * The failure detector's half of quiescence: a quiet follower whose leader's broker has gone silent
   * wakes up and stops deferring to that leader, so that the group elects another.
   */
  wakeFollowersOf(silent: ReadonlySet<string>): void {
    if (silent.size === 0) return;
    for (const hosted of this.byGroup.values()) {
      const log = hosted.log;
      if (!log.quiesced) continue;
      const { role, leaderId } = log.roleState();
      if (role !== "leader" && leaderId !== "" && silent.has(leaderId)) log.unquiesce(true);
    }
  }

  /**
   * Whether every replica here has caught up: it leads, or it knows its leader and has applied what it
   * knows is committed. A broker that just started (or restarted) is not ready before: a rolling update
   * waits for it before taking down the next one.
   */
  caughtUp(): boolean {
    for (const hosted of this.byGroup.values()) {
      const status = hosted.log.raftStatus();
      if (status.role === "leader") continue;
      if (status.leaderId === "" || status.appliedIndex + CAUGHT_UP_ENTRIES < status.commitIndex) return false;
    }
    return true;
  }

  /** Every hosted replica with its Raft status, for metrics and /v1/status. */
  *statuses(): Iterable<{ stream: string; shard: ReplicatedShard; status: RaftStatus; quiesced: boolean }> {
    for (const hosted of this.byGroup.values()) {
      const log = hosted.log;
      yield { stream: hosted.streamName, shard: hosted.shard, status: log.raftStatus(), quiesced: log.quiesced };
    }
  }

  /** Brings the hosted replicas in line with `state`; runs one at a time, the latest state last. */
  reconcile(state: ControllerState): Promise<void> {
    this.reconciling = this.reconciling
      .then(() => this.reconcileNow(state))
      .catch((error: unknown) => {
        this.logger.error({ err: error }, "reconciling shard replicas failed");
      });
    return this.reconciling;
  }

  private async reconcileNow(state: ControllerState): Promise<void> {
    if (this.closed) return;
    const wanted = new Map<number, { streamName: string; shard: ReplicatedShard; sealSinceMs?: number }>();
    for (const stream of state.streams.values()) {
      if (stream.status === "DELETING") continue;
      const parents = stream.reshard ? parentsOf(stream.reshard.ops) : [];
      for (const shard of stream.shards) {
        if (!shard.replicas.includes(this.options.selfId)) continue;
        // A parent of the reshard in progress may have been sealed before a restart: look for its seal.
        const sealSinceMs = parents.includes(shard.shardId) ? stream.reshard!.startedAtMs : undefined;
        wanted.set(shard.groupId, {
          streamName: stream.streamName,
          shard,
          ...(sealSinceMs !== undefined ? { sealSinceMs } : {}),
        });
      }
    }
    for (const [groupId, hosted] of [...this.byGroup]) {
      if (wanted.has(groupId)) continue;
      this.byGroup.delete(groupId);
      await hosted.log.drain(
        new KinesisError("ResourceNotFoundException", `Shard ${hosted.shard.shardId} is no longer on this broker.`),
      );
      const group = await this.store.group(groupId);
      await group.destroy();
      this.logger.info({ stream: hosted.streamName, shard: hosted.shard.shardId, group: groupId }, "replica removed");
    }
    for (const [groupId, { streamName, shard, sealSinceMs }] of wanted) {
      if (this.closed) return;
      const hosted = this.byGroup.get(groupId);
      if (hosted) {
        hosted.shard = shard;
        continue;
      }
      // One replica that cannot open must not keep the others closed.
      await this.open(streamName, shard, sealSinceMs).catch((error: unknown) =>
        this.logger.error({ err: error, stream: streamName, shard: shard.shardId }, "opening a shard replica failed"),
      );
    }
  }

  private async open(streamName: string, shard: ReplicatedShard, sealSinceMs?: number): Promise<void> {
    const group = await this.store.group(shard.groupId);
    const founding = (shard.replicaChanges ?? 0) === 0;
    const brandNew = group.lastIndex() === 0 && group.snapshotMeta().index === 0;
    // Known once the log is open; input during the opening needs no waking (the group is added awake).
    let hosted: Hosted | undefined;
    const log = await ShardLog.open(
      shard,
      group,
      {
        sync: this.config.fsync === "always",
        batchRecordsMax: this.config.batchRecordsMax,
        batchBytesMax: this.config.batchBytesMax,
        queueBytesMax: this.config.shardQueueBytesMax,
        proposalsInFlightMax: this.config.proposalsInFlightMax,
        tailCacheBytesMax: this.config.tailCacheBytesMax,
        tailCacheBudget: this.tailCacheBudget,
        queueBudget: this.queueBudget,
        limits: this.config.shardLimits,
      },
      this.probe.forShard(streamName, shard.shardId),
      {
        selfId: this.options.selfId,
        // Founding replicas start the group with the placement as its voters; a replica added later
        // starts with none and learns the configuration from the leader that added it.
        voters: founding ? shard.replicas : [],
        config: this.options.raft,
        send: (message) => this.options.send(shard.groupId, message),
        campaignAtStart: founding && brandNew && shard.replicas[0] === this.options.selfId && shard.replicas.length > 1,
        failed: (error) => this.groupFailed(shard.shardId, error),
        activity: () => {
          if (hosted) this.awake.add(hosted);
        },
      },
      Date.now(),
    );
    if (shard.endingSequenceNumber !== undefined) {
      log.sealedAt(decodeSequenceNumber(shard.endingSequenceNumber).position.index);
    } else if (sealSinceMs !== undefined) {
      // Entries are stamped by their leader's clock: look a little before the reshard's start.
      await log.findSeal(sealSinceMs - SEAL_SCAN_CLOCK_MARGIN_MS);
    }
    hosted = { log, streamName, shard, settledFor: undefined };
    this.byGroup.set(shard.groupId, hosted);
    this.awake.add(hosted);
    this.options.opened();
    this.logger.debug({ stream: streamName, shard: shard.shardId, group: shard.groupId }, "replica opened");
  }

  /**
   * For each group this broker leads: one step of its configuration toward the placement, or a
   * leadership transfer to the preferred replica. Called periodically; each step waits for the last.
   */
  manageMembership(): void {
    for (const hosted of this.byGroup.values()) {
      if (hosted.log.roleState().role !== "leader") {
        hosted.settledFor = undefined;
        continue;
      }
      if (hosted.log.quiesced && hosted.settledFor === hosted.shard) continue;
      this.membershipStep(hosted, hosted.log.raftStatus());
    }
  }

  private membershipStep(hosted: Hosted, status: RaftStatus): void {
    const desired = hosted.shard.replicas;
    const { voters, learners } = status.conf;
    const log = hosted.log;
    const self = this.options.selfId;
    const caughtUp = (id: string) => isCaughtUp(status, id);
    if (status.commitIndex < status.lastIndex && status.lastIndex - status.commitIndex > CAUGHT_UP_ENTRIES) return;
    const missing = desired.find((id) => !voters.includes(id) && !learners.includes(id));
    if (missing !== undefined) {
      if (log.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: missing }))
        this.logger.info({ shard: hosted.shard.shardId, broker: missing }, "adding replica as learner");
      return;
    }
    const ready = learners.find((id) => desired.includes(id) && caughtUp(id));
    if (ready !== undefined) {
      if (log.proposeConfChange({ type: ConfChangeType.PromoteLearner, nodeId: ready }))
        this.logger.info({ shard: hosted.shard.shardId, broker: ready }, "promoting caught-up replica");
      return;
    }
    const extraLearner = learners.find((id) => !desired.includes(id));
    if (extraLearner !== undefined) {
      log.proposeConfChange({ type: ConfChangeType.RemoveLearner, nodeId: extraLearner });
      return;
    }
    if (learners.length === 0) {
      const extra = voters.find((id) => !desired.includes(id));
      if (extra === self) {
        // A leader cannot remove itself safely in one step: hand over first.
        const to = desired.find((id) => voters.includes(id) && caughtUp(id) && this.options.isConnected(id));
        if (to !== undefined) log.transferLeadership(to);
        return;
      }
      if (extra !== undefined) {
        if (log.proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: extra }))
          this.logger.info({ shard: hosted.shard.shardId, broker: extra }, "removing replaced replica");
        return;
      }
    }
    const preferred = desired[0];
    if (preferred === self) {
      hosted.settledFor = hosted.shard;
    } else if (
      preferred !== undefined &&
      voters.includes(preferred) &&
      this.options.isConnected(preferred) &&
      caughtUp(preferred)
    ) {
      log.transferLeadership(preferred);
    }
  }

  /**
   * At shutdown: each group this broker leads goes to a caught-up, connected voter, so writers find a new
   * leader at once instead of after an election timeout. Resolves when each has moved or `timeoutMs` passed.
   */
  async transferAllLeadership(isConnected: (id: string) => boolean, timeoutMs: number): Promise<void> {
    const moving: Array<Promise<void>> = [];
    for (const hosted of this.byGroup.values()) {
      const status = hosted.log.raftStatus();
      if (status.role !== "leader") continue;
      const to = status.progress
        .filter((p) => p.id !== this.options.selfId && status.conf.voters.includes(p.id) && isConnected(p.id))
        .sort((a, b) => b.match - a.match)[0];
      if (to !== undefined && hosted.log.transferLeadership(to.id)) moving.push(hosted.log.roleChange(timeoutMs));
    }
    await Promise.all(moving);
  }

  /** A group whose storage failed cannot go on safely: stop the broker, do not serve from a broken log. */
  private groupFailed(shardId: string, error: unknown): void {
    this.logger.fatal({ err: error, shard: shardId }, "shard log failed; stopping");
    process.exit(70);
  }

  async drainAll(reason: KinesisError): Promise<void> {
    this.closed = true;
    await this.reconciling;
    await Promise.all([...this.byGroup.values()].map((hosted) => hosted.log.drain(reason)));
  }
}

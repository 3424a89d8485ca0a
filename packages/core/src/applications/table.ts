/**
 * The server-side lease table of consumer applications, as pure functions over plain data: the part of
 * the controller's state machine that the application commands change. Every controller replica
 * applies the same commands with the same `nowMs` and gets the same table; liveness is decided from
 * the heartbeat times the commands carry, never from a clock read here.
 *
 * Per application and shard there is a lease (owner worker, epoch) and a checkpoint (where to resume,
 * and when it was written). A checkpoint is accepted only from the lease's owner at the lease's epoch
 * (fencing), so a worker that was paused past its lease cannot write over its successor's progress.
 */
import { invalidArgument, KinesisError, limitExceeded, resourceInUse, resourceNotFound } from "../errors.js";
import type { Shard } from "../model.js";
import { parseSequenceNumber } from "../sequence.js";
import { validateLength } from "../validation.js";
import { constraintViolation } from "../violations.js";
import { assignLeases, type AssignableShard, type Handover, type Lease } from "./assignment.js";

/** Named bounds of the lease table. */
export const APPLICATION_LIMITS = {
  applicationNameLengthMax: 128,
  workerIdLengthMax: 256,
  /** Applications on one stream. */
  applicationsPerStreamMax: 50,
  /** Live workers of one application; a heartbeat from one more is refused. */
  workersPerApplicationMax: 1_000,
  leaseTimeoutMsMin: 1_000,
  leaseTimeoutMsMax: 600_000,
  leaseTimeoutMsDefault: 10_000,
  /** A halt reason or other worker-supplied text is cut to this many characters. */
  reasonLengthMax: 1_024,
} as const;

const APPLICATION_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

/** Where a new application starts reading a shard that has no checkpoint. */
export type InitialPositionType = "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
export const INITIAL_POSITION_TYPES: readonly InitialPositionType[] = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];

/**
 * Where a shard's reading resumes. After a worker's checkpoint it is AFTER_SEQUENCE_NUMBER (or
 * SHARD_END once a closed shard was read to its end); a reset can set any of the others.
 */
export type ResumeType =
  "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER" | "SHARD_END";
export const RESUME_TYPES: readonly ResumeType[] = [
  "TRIM_HORIZON",
  "LATEST",
  "AT_TIMESTAMP",
  "AT_SEQUENCE_NUMBER",
  "AFTER_SEQUENCE_NUMBER",
  "SHARD_END",
];

export interface ResumePosition {
  readonly type: ResumeType;
  /** Decimal, for AT_ and AFTER_SEQUENCE_NUMBER. */
  readonly sequenceNumber?: string;
  /** For AT_TIMESTAMP. */
  readonly timestampMs?: number;
}

export interface Checkpoint {
  readonly position: ResumePosition;
  readonly writtenAtMs: number;
  /** The worker that wrote it; absent after a reset. */
  readonly workerId?: string;
}

export interface ShardHalt {
  readonly reason: string;
  readonly workerId: string;
  readonly atMs: number;
}

/** One shard's row in an application's lease table. */
export interface ShardProgress {
  readonly lease?: Lease;
  /** The highest epoch the shard's lease ever had: a lease given out again continues from it. */
  readonly epoch: number;
  readonly checkpoint?: Checkpoint;
  /** Set while the owner reports the shard stopped by its failure policy (halt). */
  readonly halted?: ShardHalt;
  /** How far behind the shard's tip the owner last reported its reading, ms. */
  readonly millisBehindLatest?: number;
}

export interface WorkerInfo {
  readonly lastHeartbeatMs: number;
  /** Changes each time the worker process starts: a restart under the same id fences the old process. */
  readonly incarnation: string;
}

export interface Application {
  readonly streamName: string;
  /** The incarnation of the stream the application reads; it goes when that stream is deleted. */
  readonly streamId: string;
  readonly applicationName: string;
  readonly createdAtMs: number;
  readonly initialPosition: InitialPositionType;
  readonly initialTimestampMs?: number;
  readonly leaseTimeoutMs: number;
  readonly workers: ReadonlyMap<string, WorkerInfo>;
  readonly shards: ReadonlyMap<string, ShardProgress>;
  /** Leases whose live owners were asked to release them, to even out the load. */
  readonly handovers: readonly Handover[];
}

export const applicationKey = (streamName: string, applicationName: string): string =>
  `${streamName}/${applicationName}`;

// ---- inputs ----

export interface CreateApplicationInput {
  readonly streamName: string;
  readonly streamId: string;
  readonly applicationName: string;
  readonly initialPosition: string;
  readonly initialTimestampMs?: number;
  readonly leaseTimeoutMs: number;
  readonly nowMs: number;
}

export interface ShardReport {
  readonly shardId: string;
  readonly millisBehindLatest?: number;
  /** Set when the shard was stopped by the halt policy; the reason is shown to operators. */
  readonly haltedReason?: string;
}

export interface HeartbeatInput {
  readonly workerId: string;
  readonly incarnation: string;
  readonly nowMs: number;
  /** Leases the worker gives back (after a handover's last checkpoint). */
  readonly released: readonly string[];
  /** The worker shuts down: every lease is released at once and the worker is forgotten. */
  readonly leaving: boolean;
  readonly reports: readonly ShardReport[];
}

export interface HeldLease {
  readonly shardId: string;
  readonly epoch: number;
  /** Where to start reading: the checkpoint, or the application's initial position. */
  readonly startFrom: ResumePosition;
}

export interface HeartbeatResult {
  readonly leases: readonly HeldLease[];
  /** Leases this worker is asked to hand over: checkpoint, then release. */
  readonly release: readonly string[];
  readonly leaseTimeoutMs: number;
  /**
   * How long until the earliest lease held by another worker would expire if that worker stays
   * silent, ms (absent when none): heartbeating then picks up a dead worker's shards at once.
   */
  readonly nextExpiryInMs?: number;
}

export interface CheckpointInput {
  readonly workerId: string;
  readonly shardId: string;
  readonly epoch: number;
  readonly position: ResumePosition;
  readonly nowMs: number;
}

export interface ResetInput {
  readonly position: ResumePosition;
  /** Only this shard (required for a sequence number, which belongs to one shard). */
  readonly shardId?: string;
  /** Revoke the leases of live workers first (they are fenced and pick their shards up again). */
  readonly force: boolean;
  readonly nowMs: number;
}

// ---- operations ----

export function validateApplicationName(name: string, field = "ApplicationName"): void {
  if (typeof name !== "string") throw constraintViolation(field, "be a string");
  validateLength(name.length, 1, APPLICATION_LIMITS.applicationNameLengthMax, field);
  if (!APPLICATION_NAME_PATTERN.test(name)) {
    throw constraintViolation(field, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
}

export function validateLeaseTimeoutMs(value: number, field = "LeaseTimeoutMs"): void {
  const { leaseTimeoutMsMin: min, leaseTimeoutMsMax: max } = APPLICATION_LIMITS;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw constraintViolation(field, `be an integer from ${min} to ${max} (got ${value})`);
  }
}

/** A new application, or the existing one unchanged (every worker of an application creates it at start). */
export function createApplication(
  existing: Application | undefined,
  applicationsOnStream: number,
  input: CreateApplicationInput,
): Application {
  validateApplicationName(input.applicationName);
  validateLeaseTimeoutMs(input.leaseTimeoutMs);
  if (!INITIAL_POSITION_TYPES.includes(input.initialPosition as InitialPositionType)) {
    throw constraintViolation("InitialPosition", `satisfy enum value set: [${INITIAL_POSITION_TYPES.join(", ")}]`);
  }
  if (input.initialPosition === "AT_TIMESTAMP") validateTimestamp(input.initialTimestampMs, "InitialTimestamp");
  if (existing && existing.streamId === input.streamId) return existing;
  if (!existing && applicationsOnStream >= APPLICATION_LIMITS.applicationsPerStreamMax) {
    throw limitExceeded(
      `Stream ${input.streamName} already has ${applicationsOnStream} applications, the limit is ` +
        `${APPLICATION_LIMITS.applicationsPerStreamMax}.`,
    );
  }
  return {
    streamName: input.streamName,
    streamId: input.streamId,
    applicationName: input.applicationName,
    createdAtMs: input.nowMs,
    initialPosition: input.initialPosition as InitialPositionType,
    ...(input.initialPosition === "AT_TIMESTAMP" ? { initialTimestampMs: input.initialTimestampMs! } : {}),
    leaseTimeoutMs: input.leaseTimeoutMs,
    workers: new Map(),
    shards: new Map(),
    handovers: [],
  };
}

export function isWorkerLive(app: Application, workerId: string, nowMs: number): boolean {
  const worker = app.workers.get(workerId);
  return worker !== undefined && worker.lastHeartbeatMs + app.leaseTimeoutMs > nowMs;
}

/**
 * A worker's heartbeat: renews its leases, takes its releases and reports, forgets workers silent past
 * the lease timeout, and runs the assignment over the stream's shards. Returns the new application and
 * what the worker holds now.
 */
export function heartbeat(
  app: Application,
  streamShards: readonly Shard[],
  heartbeatInput: HeartbeatInput,
): { app: Application; result: HeartbeatResult } {
  validateWorkerId(heartbeatInput.workerId);
  validateLength(heartbeatInput.incarnation.length, 1, APPLICATION_LIMITS.workerIdLengthMax, "Incarnation");
  validateTimestamp(heartbeatInput.nowMs, "nowMs");
  const shardIds = new Set(streamShards.map((s) => s.shardId));
  // A shard the stream no longer has (forgotten past retention after a reshard) is ignored, not refused:
  // a worker still holding it must go on heartbeating for its other shards.
  const input: HeartbeatInput = {
    ...heartbeatInput,
    released: heartbeatInput.released.filter((id) => shardIds.has(id)),
    reports: heartbeatInput.reports.filter((r) => shardIds.has(r.shardId)),
  };
  const workers = new Map(app.workers);
  const known = workers.get(input.workerId);
  if (!known && !input.leaving) {
    const live = [...workers.keys()].filter((id) => isWorkerLive(app, id, input.nowMs)).length;
    if (live >= APPLICATION_LIMITS.workersPerApplicationMax) {
      throw limitExceeded(
        `Application ${app.applicationName} has ${live} live workers, the limit is ` +
          `${APPLICATION_LIMITS.workersPerApplicationMax}.`,
      );
    }
  }
  const shards = new Map(app.shards);
  const restarted = known !== undefined && known.incarnation !== input.incarnation;
  const release = new Set(input.released);
  for (const [shardId, progress] of shards) {
    if (progress.lease?.owner !== input.workerId) continue;
    if (input.leaving || release.has(shardId)) {
      shards.set(shardId, withoutLease(progress));
    } else if (restarted) {
      // Static membership: the restarted worker keeps its shards, at a new epoch that fences the old process.
      const epoch = progress.epoch + 1;
      shards.set(shardId, { ...progress, lease: { owner: input.workerId, epoch }, epoch });
    }
  }
  for (const report of input.reports) {
    const progress = shards.get(report.shardId) ?? { epoch: 0 };
    if (progress.lease?.owner !== input.workerId) continue; // reports only count from the owner
    const next: { -readonly [K in keyof ShardProgress]: ShardProgress[K] } = { ...progress };
    if (report.millisBehindLatest !== undefined) next.millisBehindLatest = Math.max(0, report.millisBehindLatest);
    if (report.haltedReason !== undefined) {
      next.halted = {
        reason: report.haltedReason.slice(0, APPLICATION_LIMITS.reasonLengthMax),
        workerId: input.workerId,
        atMs: input.nowMs,
      };
    }
    shards.set(report.shardId, next);
  }
  if (input.leaving) workers.delete(input.workerId);
  else workers.set(input.workerId, { lastHeartbeatMs: input.nowMs, incarnation: input.incarnation });
  for (const [id, worker] of workers) {
    if (worker.lastHeartbeatMs + app.leaseTimeoutMs <= input.nowMs) workers.delete(id);
  }
  const assigned = assign({ ...app, workers, shards }, streamShards);
  return { app: assigned, result: heartbeatResult(assigned, input.workerId, input.nowMs) };
}

/** Writes a checkpoint; refused unless the worker holds the shard's lease at `epoch`. */
export function checkpoint(app: Application, streamShards: readonly Shard[], input: CheckpointInput): Application {
  validateWorkerId(input.workerId);
  validateTimestamp(input.nowMs, "nowMs");
  const shard = streamShards.find((s) => s.shardId === input.shardId);
  if (!shard) throw resourceNotFound(`Shard ${input.shardId} in stream ${app.streamName} not found.`);
  const position = validatePosition(input.position, "Checkpoint");
  const progress = app.shards.get(input.shardId) ?? { epoch: 0 };
  const lease = progress.lease;
  if (!lease || lease.owner !== input.workerId || lease.epoch !== input.epoch) {
    throw new KinesisError(
      "LeaseLostException",
      `Worker ${input.workerId} does not hold the lease of ${input.shardId} at epoch ${input.epoch}` +
        (lease ? ` (${lease.owner} holds it at epoch ${lease.epoch})` : " (no one holds it)") +
        `; the checkpoint was not written.`,
    );
  }
  if (position.type === "SHARD_END" && shard.endingSequenceNumber === undefined) {
    throw invalidArgument(`Shard ${input.shardId} is open; only a closed shard can be checkpointed at SHARD_END.`);
  }
  const previous = progress.checkpoint?.position;
  // AT_TIMESTAMP only as a shard's first checkpoint: a worker starting at LATEST pins the time it started,
  // so that a successor does not start at a later LATEST and skip what came in between.
  const pin = position.type === "AT_TIMESTAMP" && previous === undefined;
  if (position.type !== "AFTER_SEQUENCE_NUMBER" && position.type !== "SHARD_END" && !pin) {
    throw constraintViolation(
      "Checkpoint.Type",
      "be AFTER_SEQUENCE_NUMBER or SHARD_END (or AT_TIMESTAMP as a shard's first checkpoint)",
    );
  }
  if (previous?.type === "SHARD_END")
    throw invalidArgument(`Shard ${input.shardId} is already checkpointed at its end.`);
  if (
    position.type === "AFTER_SEQUENCE_NUMBER" &&
    previous?.type === "AFTER_SEQUENCE_NUMBER" &&
    BigInt(position.sequenceNumber!) < BigInt(previous.sequenceNumber!)
  ) {
    throw invalidArgument(
      `Checkpoint ${position.sequenceNumber} of ${input.shardId} is before the last one, ${previous.sequenceNumber}.`,
    );
  }
  const next: ShardProgress = {
    lease,
    epoch: progress.epoch,
    checkpoint: { position, writtenAtMs: input.nowMs, workerId: input.workerId },
    ...(progress.millisBehindLatest !== undefined ? { millisBehindLatest: progress.millisBehindLatest } : {}),
  };
  const shards = new Map(app.shards);
  // A finished shard's lease is released at once: its children may be given out.
  shards.set(input.shardId, position.type === "SHARD_END" ? withoutLease(next) : next);
  const updated = { ...app, shards };
  return position.type === "SHARD_END" ? assign(updated, streamShards) : updated;
}

/** Rewinds (or moves) checkpoints; refused while live workers hold leases unless `force`. */
export function resetApplication(app: Application, streamShards: readonly Shard[], input: ResetInput): Application {
  validateTimestamp(input.nowMs, "nowMs");
  const position = validatePosition(input.position, "Position");
  if (position.type === "SHARD_END") throw constraintViolation("Position.Type", "not be SHARD_END");
  const needsShard = position.type === "AT_SEQUENCE_NUMBER" || position.type === "AFTER_SEQUENCE_NUMBER";
  if (needsShard && input.shardId === undefined) {
    throw invalidArgument("A reset to a sequence number needs ShardId: sequence numbers belong to one shard.");
  }
  const targets =
    input.shardId === undefined ? streamShards.map((s) => s.shardId) : [requireShard(app, streamShards, input.shardId)];
  const holders = new Set<string>();
  for (const shardId of targets) {
    const owner = app.shards.get(shardId)?.lease?.owner;
    if (owner !== undefined && isWorkerLive(app, owner, input.nowMs)) holders.add(owner);
  }
  if (holders.size > 0 && !input.force) {
    throw resourceInUse(
      `Application ${app.applicationName} has workers holding leases (${[...holders].sort().join(", ")}); ` +
        `stop them first, or force the reset to make them yield.`,
    );
  }
  const shards = new Map(app.shards);
  for (const shardId of targets) {
    const progress = shards.get(shardId) ?? { epoch: 0 };
    // The next lease is at a higher epoch than any before: the old owner's checkpoints are refused.
    shards.set(shardId, { epoch: progress.epoch + 1, checkpoint: { position, writtenAtMs: input.nowMs } });
  }
  return { ...app, shards, handovers: app.handovers.filter((h) => !targets.includes(h.shardId)) };
}

/** Where a lease's new owner starts reading. */
export function startingPositionOf(app: Application, shardId: string): ResumePosition {
  const checkpointed = app.shards.get(shardId)?.checkpoint?.position;
  if (checkpointed) return checkpointed;
  return app.initialPosition === "AT_TIMESTAMP"
    ? { type: "AT_TIMESTAMP", timestampMs: app.initialTimestampMs! }
    : { type: app.initialPosition };
}

// ---- helpers ----

function assign(app: Application, streamShards: readonly Shard[]): Application {
  const progressOf = (id: string): ShardProgress => app.shards.get(id) ?? { epoch: 0 };
  const assignable: AssignableShard[] = streamShards.map((s) => ({
    shardId: s.shardId,
    parentShardIds: [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined),
    finished: progressOf(s.shardId).checkpoint?.position.type === "SHARD_END",
  }));
  const leases = new Map<string, Lease>();
  const epochs = new Map<string, number>();
  for (const [shardId, progress] of app.shards) {
    if (progress.lease) leases.set(shardId, progress.lease);
    epochs.set(shardId, progress.epoch);
  }
  const liveWorkers = [...app.workers.keys()]; // the caller has dropped the dead ones
  const assignment = assignLeases({ shards: assignable, liveWorkers, leases, epochs });
  const shards = new Map<string, ShardProgress>();
  for (const s of streamShards) {
    const progress = progressOf(s.shardId);
    const lease = assignment.leases.get(s.shardId);
    if (lease) {
      shards.set(s.shardId, { ...progress, lease, epoch: Math.max(progress.epoch, lease.epoch) });
    } else if (progress.lease || progress.checkpoint || progress.epoch > 0) {
      shards.set(s.shardId, withoutLease(progress));
    }
  }
  return { ...app, shards, handovers: assignment.handovers };
}

function heartbeatResult(app: Application, workerId: string, nowMs: number): HeartbeatResult {
  const leases: HeldLease[] = [];
  let nextExpiryInMs: number | undefined;
  for (const [shardId, progress] of [...app.shards].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const lease = progress.lease;
    if (!lease) continue;
    if (lease.owner === workerId) {
      leases.push({ shardId, epoch: lease.epoch, startFrom: startingPositionOf(app, shardId) });
    } else {
      const owner = app.workers.get(lease.owner);
      if (owner) {
        const inMs = owner.lastHeartbeatMs + app.leaseTimeoutMs - nowMs;
        nextExpiryInMs = nextExpiryInMs === undefined ? inMs : Math.min(nextExpiryInMs, inMs);
      }
    }
  }
  return {
    leases,
    release: app.handovers.filter((h) => h.from === workerId).map((h) => h.shardId),
    leaseTimeoutMs: app.leaseTimeoutMs,
    ...(nextExpiryInMs !== undefined ? { nextExpiryInMs } : {}),
  };
}

function withoutLease(progress: ShardProgress): ShardProgress {
  const { lease: _lease, halted: _halted, millisBehindLatest: _lag, ...rest } = progress;
  return rest;
}

function requireShard(app: Application, streamShards: readonly Shard[], shardId: string): string {
  if (!streamShards.some((s) => s.shardId === shardId)) {
    throw resourceNotFound(`Shard ${shardId} in stream ${app.streamName} not found.`);
  }
  return shardId;
}

function validateWorkerId(workerId: string): void {
  if (typeof workerId !== "string") throw constraintViolation("WorkerId", "be a string");
  validateLength(workerId.length, 1, APPLICATION_LIMITS.workerIdLengthMax, "WorkerId");
}

function validateTimestamp(value: number | undefined, field: string): void {
  if (value === undefined || !Number.isSafeInteger(value) || value < 0) {
    throw constraintViolation(field, `be a non-negative integer number of milliseconds since the epoch (got ${value})`);
  }
}

function validatePosition(position: ResumePosition, field: string): ResumePosition {
  if (!RESUME_TYPES.includes(position.type)) {
    throw constraintViolation(`${field}.Type`, `satisfy enum value set: [${RESUME_TYPES.join(", ")}]`);
  }
  switch (position.type) {
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER": {
      if (position.sequenceNumber === undefined) {
        throw constraintViolation(`${field}.SequenceNumber`, `be given for ${position.type}`);
      }
      const sequenceNumber = parseSequenceNumber(position.sequenceNumber, `${field}.SequenceNumber`).toString();
      return { type: position.type, sequenceNumber };
    }
    case "AT_TIMESTAMP":
      validateTimestamp(position.timestampMs, `${field}.Timestamp`);
      return { type: position.type, timestampMs: position.timestampMs! };
    default:
      return { type: position.type };
  }
}

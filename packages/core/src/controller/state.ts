/**
 * The controller's state machine: cluster metadata (brokers and their zones, streams, shards and the
 * placement of their replicas) and `applyCommand`, the pure function that every controller voter
 * applies to the same committed log, getting the same state. Nothing here reads a clock or makes an
 * id: both come in with the commands.
 */
import { KinesisError, invalidArgument, limitExceeded, resourceInUse, resourceNotFound } from "../errors.js";
import { PRODUCER_EPOCH_MAX } from "../codec.js";
import { LIMITS } from "../limits.js";
import type { Shard, Stream, StreamMode } from "../model.js";
import {
  checkMerge,
  checkSplit,
  checkTargetShardCount,
  childrenOf,
  parentsOf,
  planScalingStep,
  requireNoReshard,
  type Reshard,
  type ReshardOp,
} from "../resharding.js";
import { parseSequenceNumber } from "../sequence.js";
import { isOpen } from "../shards.js";
import { newStream, streamArnOf } from "../stream.js";
import {
  validateLength,
  validateMaxRecordSize,
  validateRetentionHours,
  validateShardCount,
  validateStreamName,
} from "../validation.js";
import { constraintViolation } from "../violations.js";
import {
  applicationKey,
  checkpoint,
  createApplication,
  heartbeat,
  resetApplication,
  type Application,
  type ResumePosition,
  type ShardReport,
} from "../applications/table.js";
import {
  consumerDeregistered,
  consumerRegistered,
  tagsAdded,
  tagsRemoved,
  validateConsumerName,
  validateTagKeys,
  validateTagMap,
  type StreamExtras,
} from "../stream-extras.js";
import {
  AUTH_LIMITS,
  grantAdded,
  grantRevoked,
  validateAccessKeyId,
  validateActions,
  validatePrincipalName,
  validateResource,
  validateSecretSha256Hex,
  type Principal,
} from "../auth/permissions.js";
import type {
  AddTags,
  CreatePrincipal,
  DeletePrincipal,
  GrantPermission,
  RevokePermission,
  BrokerDown,
  BrokerUp,
  ControllerCommand,
  InitCluster,
  InitProducer,
  CreateApplication,
  CreateStream,
  DeleteApplication,
  DeleteStream,
  DeregisterConsumer,
  ForgetClosedShards,
  MergeShards,
  RegisterBroker,
  RegisterConsumer,
  RemoveTags,
  RepairDownBrokers,
  ReplaceReplica,
  ResetApplication,
  ShardSealed,
  SplitShard,
  StreamDeleted,
  UpdateMode,
  UpdateRetention,
  UpdateShardCount,
  WorkerHeartbeat,
  WriteCheckpoint,
} from "./commands.js";
import { addLoad, downTooLong, type BrokerInfo, type BrokerLoad, placeReplicas, replacementFor } from "./placement.js";

/** A shard with the brokers that hold its replicas; the first is the preferred leader. */
export interface ReplicatedShard extends Shard {
  readonly replicas: readonly string[];
  /**
   * How many times a replica was moved. At 0 the replicas are the group's founding voters, which each
   * start the Raft group with that configuration; a replica added later starts empty and learns the
   * configuration from the group's leader.
   */
  readonly replicaChanges?: number;
  /** When a reshard closed it; it is forgotten once the stream's retention passes this. */
  readonly closedAtMs?: number;
}

/** Tags (sorted by key) and registered consumers (sorted by name) come from StreamExtras, absent when empty. */
export interface ControllerStream extends Omit<Stream, "shards">, StreamExtras {
  readonly shards: readonly ReplicatedShard[];
  readonly replicationFactor: number;
  /** The reshard in progress (the stream is UPDATING meanwhile). */
  readonly reshard?: Reshard;
}

export interface ControllerState {
  /** Hex key signing shard iterators, the same on every broker; "" until InitCluster is applied. */
  readonly iteratorKeyHex: string;
  /** Each exactly-once producer id's latest epoch. */
  readonly producerEpochs: ReadonlyMap<string, number>;
  readonly brokers: ReadonlyMap<string, BrokerInfo>;
  readonly streams: ReadonlyMap<string, ControllerStream>;
  /** The next unused shard-log group id; group ids are never reused. */
  readonly nextGroupId: number;
  /** How many streams were ever created: the ordinal of the next one. */
  readonly nextStreamSeq: number;
  /** Consumer applications by `applicationKey(streamName, applicationName)`. */
  readonly applications: ReadonlyMap<string, Application>;
  /** Principals by name (the root credentials are not here: they live in each broker's auth file). */
  readonly principals: ReadonlyMap<string, Principal>;
}

/** Changed replica of one shard, as RepairDownBrokers and ReplaceReplica report it. */
export interface ReplicaMove {
  readonly streamName: string;
  readonly shardId: string;
  readonly from: string;
  readonly to: string;
}

export interface ApplyResult {
  readonly state: ControllerState;
  /** The command's answer, or a KinesisError value (and then `state` is the input, unchanged). */
  readonly result: unknown;
}

export function emptyControllerState(): ControllerState {
  return {
    iteratorKeyHex: "",
    producerEpochs: new Map(),
    brokers: new Map(),
    streams: new Map(),
    nextGroupId: 1,
    nextStreamSeq: 0,
    applications: new Map(),
    principals: new Map(),
  };
}

const MODES: readonly StreamMode[] = ["PROVISIONED", "ON_DEMAND"];
const NAME_LENGTH_MAX = 256;

/**
 * Applies one committed command. Pure and deterministic: returns a new state (sharing unchanged parts
 * with the input, which is never mutated). An expected failure is a KinesisError in `result`, with the
 * input state returned as it was.
 */
export function applyCommand(state: ControllerState, command: ControllerCommand): ApplyResult {
  try {
    return dispatch(state, command);
  } catch (error) {
    if (error instanceof KinesisError) return { state, result: error };
    throw error;
  }
}

function dispatch(state: ControllerState, command: ControllerCommand): ApplyResult {
  switch (command.type) {
    case "InitCluster":
      return initCluster(state, command);
    case "InitProducer":
      return initProducer(state, command);
    case "RegisterBroker":
      return registerBroker(state, command);
    case "BrokerDown":
      return brokerDown(state, command);
    case "BrokerUp":
      return brokerUp(state, command);
    case "CreateStream":
      return createStream(state, command);
    case "DeleteStream":
      return deleteStream(state, command);
    case "StreamDeleted":
      return streamDeleted(state, command);
    case "UpdateRetention":
      return updateRetention(state, command);
    case "UpdateMode":
      return updateMode(state, command);
    case "ReplaceReplica":
      return replaceReplica(state, command);
    case "RepairDownBrokers":
      return repairDownBrokers(state, command);
    case "CreateApplication":
      return createApp(state, command);
    case "DeleteApplication":
      return deleteApp(state, command);
    case "WorkerHeartbeat":
      return workerHeartbeat(state, command);
    case "WriteCheckpoint":
      return writeCheckpoint(state, command);
    case "ResetApplication":
      return resetApp(state, command);
    case "SplitShard":
      return splitShard(state, command);
    case "MergeShards":
      return mergeShards(state, command);
    case "UpdateShardCount":
      return updateShardCount(state, command);
    case "ShardSealed":
      return shardSealed(state, command);
    case "ForgetClosedShards":
      return forgetClosedShards(state, command);
    case "AddTags":
      return addTags(state, command);
    case "RemoveTags":
      return removeTags(state, command);
    case "RegisterConsumer":
      return registerConsumer(state, command);
    case "DeregisterConsumer":
      return deregisterConsumer(state, command);
    case "CreatePrincipal":
      return createPrincipal(state, command);
    case "DeletePrincipal":
      return deletePrincipal(state, command);
    case "GrantPermission":
      return grantPermission(state, command);
    case "RevokePermission":
      return revokePermission(state, command);
    default:
      throw invalidArgument(`Unknown controller command type ${String((command as { type?: unknown }).type)}.`);
  }
}

/** Replica count and preferred-leader count per broker, over every shard of every stream. */
export function computeLoad(state: ControllerState): Map<string, BrokerLoad> {
  const load = new Map<string, BrokerLoad>();
  for (const stream of state.streams.values()) {
    for (const shard of stream.shards) addLoad(load, shard.replicas);
  }
  return load;
}

/** Streams sorted by name: the order in which bulk commands visit them. */
export function streamsByName(state: ControllerState): ControllerStream[] {
  return [...state.streams.values()].sort((a, b) =>
    a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0,
  );
}

// ---- the cluster ----

function initCluster(state: ControllerState, cmd: InitCluster): ApplyResult {
  if (typeof cmd.iteratorKeyHex !== "string" || !/^([0-9a-f]{2}){16,64}$/.test(cmd.iteratorKeyHex)) {
    throw constraintViolation("IteratorKeyHex", "be 16 to 64 bytes in lowercase hex");
  }
  // The first one wins: iterators already handed out must stay valid.
  if (state.iteratorKeyHex !== "") return { state, result: state.iteratorKeyHex };
  return { state: { ...state, iteratorKeyHex: cmd.iteratorKeyHex }, result: cmd.iteratorKeyHex };
}

/** Epochs start at 1, so that 0 never names a live producer. */
function initProducer(state: ControllerState, cmd: InitProducer): ApplyResult {
  validateName(cmd.producerId, "ProducerId");
  const epoch = (state.producerEpochs.get(cmd.producerId) ?? 0) + 1;
  if (epoch > PRODUCER_EPOCH_MAX) throw limitExceeded(`Producer ${cmd.producerId} has used up its epochs.`);
  const producerEpochs = new Map(state.producerEpochs);
  producerEpochs.set(cmd.producerId, epoch);
  return { state: { ...state, producerEpochs }, result: epoch };
}

// ---- brokers ----

function registerBroker(state: ControllerState, cmd: RegisterBroker): ApplyResult {
  validateName(cmd.id, "BrokerId");
  validateName(cmd.zone, "Zone");
  validateName(cmd.address, "Address");
  validateTime(cmd.nowMs, "nowMs");
  const existing = state.brokers.get(cmd.id);
  if (existing && existing.zone !== cmd.zone) {
    // Its replicas were placed by zone; moving it would silently break the one-replica-per-zone rule.
    throw invalidArgument(
      `Broker ${cmd.id} is registered in zone ${existing.zone}; it cannot return in zone ${cmd.zone}.`,
    );
  }
  const broker: BrokerInfo = { id: cmd.id, zone: cmd.zone, address: cmd.address, state: "live" };
  return { state: withBroker(state, broker), result: broker };
}

function brokerDown(state: ControllerState, cmd: BrokerDown): ApplyResult {
  validateTime(cmd.nowMs, "nowMs");
  const broker = requireBroker(state, cmd.id);
  if (broker.state === "down") return { state, result: broker }; // keeps the first downSinceMs
  const next: BrokerInfo = { ...broker, state: "down", downSinceMs: cmd.nowMs };
  return { state: withBroker(state, next), result: next };
}

function brokerUp(state: ControllerState, cmd: BrokerUp): ApplyResult {
  validateTime(cmd.nowMs, "nowMs");
  const broker = requireBroker(state, cmd.id);
  if (broker.state === "live") return { state, result: broker };
  const next = liveCopy(broker);
  return { state: withBroker(state, next), result: next };
}

function liveCopy(broker: BrokerInfo): BrokerInfo {
  return { id: broker.id, zone: broker.zone, address: broker.address, state: "live" };
}

function withBroker(state: ControllerState, broker: BrokerInfo): ControllerState {
  const brokers = new Map(state.brokers);
  brokers.set(broker.id, broker);
  return { ...state, brokers };
}

function requireBroker(state: ControllerState, id: string): BrokerInfo {
  const broker = state.brokers.get(id);
  if (!broker) throw resourceNotFound(`Broker ${id} is not registered.`);
  return broker;
}

// ---- streams ----

function createStream(state: ControllerState, cmd: CreateStream): ApplyResult {
  validateStreamName(cmd.streamName);
  validateLength(new TextEncoder().encode(cmd.streamId).length, 1, LIMITS.streamIdBytesMax, "StreamId");
  validateShardCount(cmd.shardCount);
  validateMode(cmd.mode);
  validateRetentionHours(cmd.retentionPeriodHours);
  validateMaxRecordSize(cmd.maxRecordSizeBytes);
  validateName(cmd.region, "Region");
  validateName(cmd.accountId, "AccountId");
  validateTime(cmd.nowMs, "nowMs");
  const existing = state.streams.get(cmd.streamName);
  if (existing) {
    throw resourceInUse(
      existing.status === "DELETING"
        ? `Stream ${cmd.streamName} is being deleted; create it again once it is gone.`
        : `Stream ${cmd.streamName} under account ${cmd.accountId} already exists.`,
    );
  }
  if (cmd.shardCountTotalMax !== undefined) {
    const shardTotal = openShardTotal(state);
    if (shardTotal + cmd.shardCount > cmd.shardCountTotalMax) {
      throw limitExceeded(
        `This request would exceed the shard limit for the account: ${shardTotal} shards exist, ` +
          `${cmd.shardCount} requested, limit ${cmd.shardCountTotalMax}.`,
      );
    }
  }
  const stream = newStream({
    streamName: cmd.streamName,
    streamId: cmd.streamId,
    streamArn: streamArnOf(cmd.region, cmd.accountId, cmd.streamName),
    shardCount: cmd.shardCount,
    mode: cmd.mode,
    retentionPeriodHours: cmd.retentionPeriodHours,
    maxRecordSizeBytes: cmd.maxRecordSizeBytes,
    nowMs: cmd.nowMs,
    firstGroupId: state.nextGroupId,
  });
  const load = computeLoad(state);
  const brokers = [...state.brokers.values()];
  const shards: ReplicatedShard[] = [];
  for (const shard of stream.shards) {
    const replicas = placeReplicas(brokers, load, cmd.replicationFactor);
    if (replicas instanceof KinesisError) throw replicas;
    addLoad(load, replicas);
    shards.push({ ...shard, replicas });
  }
  const placed: ControllerStream = { ...stream, shards, replicationFactor: cmd.replicationFactor };
  const streams = new Map(state.streams);
  streams.set(placed.streamName, placed);
  return {
    state: {
      ...state,
      streams,
      nextGroupId: state.nextGroupId + cmd.shardCount,
      nextStreamSeq: state.nextStreamSeq + 1,
    },
    result: placed,
  };
}

function deleteStream(state: ControllerState, cmd: DeleteStream): ApplyResult {
  const stream = requireStream(state, cmd.streamName);
  if (stream.status === "DELETING") return { state, result: stream }; // a retried proposal is harmless
  return withStream(state, { ...stream, status: "DELETING" });
}

function streamDeleted(state: ControllerState, cmd: StreamDeleted): ApplyResult {
  const stream = requireStream(state, cmd.streamName);
  if (cmd.streamId !== undefined && cmd.streamId !== stream.streamId) {
    throw resourceNotFound(`Stream ${cmd.streamName} with id ${cmd.streamId} not found.`);
  }
  if (stream.status !== "DELETING") {
    throw resourceInUse(`Stream ${cmd.streamName} is ${stream.status}, not being deleted.`);
  }
  const streams = new Map(state.streams);
  streams.delete(cmd.streamName);
  // Applications go with their stream: a stream created again under the name starts without them.
  const applications = new Map([...state.applications].filter(([, app]) => app.streamName !== cmd.streamName));
  return { state: { ...state, streams, applications }, result: stream };
}

function updateRetention(state: ControllerState, cmd: UpdateRetention): ApplyResult {
  validateRetentionHours(cmd.retentionPeriodHours);
  const stream = requireServing(state, cmd.streamName);
  if (stream.retentionPeriodHours === cmd.retentionPeriodHours) return { state, result: stream };
  return withStream(state, { ...stream, retentionPeriodHours: cmd.retentionPeriodHours });
}

function updateMode(state: ControllerState, cmd: UpdateMode): ApplyResult {
  validateMode(cmd.mode);
  const stream = requireServing(state, cmd.streamName);
  if (stream.mode === cmd.mode) return { state, result: stream };
  return withStream(state, { ...stream, mode: cmd.mode });
}

function withStream(state: ControllerState, stream: ControllerStream): ApplyResult {
  const streams = new Map(state.streams);
  streams.set(stream.streamName, stream);
  return { state: { ...state, streams }, result: stream };
}

function requireStream(state: ControllerState, streamName: string): ControllerStream {
  const stream = state.streams.get(streamName);
  if (!stream) throw resourceNotFound(`Stream ${streamName} not found.`);
  return stream;
}

/** As catalog.ts: a DELETING stream is gone as far as changes go. */
function requireServing(state: ControllerState, streamName: string): ControllerStream {
  const stream = requireStream(state, streamName);
  if (stream.status === "DELETING") throw resourceNotFound(`Stream ${streamName} is being deleted.`);
  return stream;
}

// ---- resharding ----

function openShardTotal(state: ControllerState): number {
  return [...state.streams.values()].reduce((n, s) => n + s.shards.filter(isOpen).length, 0);
}

function startReshard(state: ControllerState, stream: ControllerStream, reshard: Reshard): ApplyResult {
  return withStream(state, { ...stream, status: "UPDATING", reshard });
}

function splitShard(state: ControllerState, cmd: SplitShard): ApplyResult {
  return startOneOp(state, cmd.streamName, cmd.nowMs, (stream) =>
    checkSplit(stream, cmd.shardToSplit, cmd.newStartingHashKey),
  );
}

function mergeShards(state: ControllerState, cmd: MergeShards): ApplyResult {
  return startOneOp(state, cmd.streamName, cmd.nowMs, (stream) =>
    checkMerge(stream, cmd.shardToMerge, cmd.adjacentShardToMerge),
  );
}

/** A reshard of one split or merge, checked against the stream as it is. */
function startOneOp(
  state: ControllerState,
  streamName: string,
  nowMs: number,
  check: (stream: Stream) => ReshardOp,
): ApplyResult {
  validateTime(nowMs, "nowMs");
  const stream = requireServing(state, streamName);
  requireNoReshard(stream.streamName, stream.reshard, stream.status);
  return startReshard(state, stream, { ops: [check(toStream(stream))], sealed: [], startedAtMs: nowMs });
}

function updateShardCount(state: ControllerState, cmd: UpdateShardCount): ApplyResult {
  validateTime(cmd.nowMs, "nowMs");
  const stream = requireServing(state, cmd.streamName);
  requireNoReshard(stream.streamName, stream.reshard, stream.status);
  const open = stream.shards.filter(isOpen);
  const othersOpen = openShardTotal(state) - open.length;
  checkTargetShardCount(
    toStream(stream),
    cmd.targetShardCount,
    cmd.shardCountTotalMax === undefined ? Number.MAX_SAFE_INTEGER : cmd.shardCountTotalMax - othersOpen,
  );
  const ops = planScalingStep(open, cmd.targetShardCount);
  if (ops.length === 0) return { state, result: stream }; // already there
  return startReshard(state, stream, {
    ops,
    sealed: [],
    targetShardCount: cmd.targetShardCount,
    startedAtMs: cmd.nowMs,
  });
}

function shardSealed(state: ControllerState, cmd: ShardSealed): ApplyResult {
  validateTime(cmd.nowMs, "nowMs");
  const stream = requireStream(state, cmd.streamName);
  const ending = parseSequenceNumber(cmd.endingSequenceNumber, "EndingSequenceNumber").toString();
  const reshard = stream.reshard;
  const parents = reshard ? parentsOf(reshard.ops) : [];
  // A seal reported again, after its step completed, changes nothing.
  if (!reshard || !parents.includes(cmd.shardId)) return { state, result: stream };
  if (reshard.sealed.some((s) => s.shardId === cmd.shardId)) return { state, result: stream };
  const sealed = [...reshard.sealed, { shardId: cmd.shardId, endingSequenceNumber: ending }];
  if (sealed.length < parents.length) return withStream(state, { ...stream, reshard: { ...reshard, sealed } });
  return completeStep(state, stream, reshard.ops, sealed, reshard.targetShardCount, cmd.nowMs);
}

/** Every parent of the step is sealed: close them, create and place the children, plan the next step. */
function completeStep(
  state: ControllerState,
  stream: ControllerStream,
  ops: readonly ReshardOp[],
  sealed: Reshard["sealed"],
  targetShardCount: number | undefined,
  nowMs: number,
): ApplyResult {
  const endings = new Map(sealed.map((s) => [s.shardId, BigInt(s.endingSequenceNumber)] as const));
  const children = childrenOf(toStream(stream), ops, stream.nextShardNumber, state.nextGroupId);
  const load = computeLoad(state);
  const brokers = [...state.brokers.values()];
  const placed: ReplicatedShard[] = children.map((child) => {
    const replicas = placeChildReplicas(brokers, load, stream.replicationFactor);
    addLoad(load, replicas);
    return { ...child, replicas };
  });
  const shards: ReplicatedShard[] = [
    ...stream.shards.map((s) => {
      const ending = endings.get(s.shardId);
      return ending === undefined ? s : { ...s, endingSequenceNumber: ending, closedAtMs: nowMs };
    }),
    ...placed,
  ];
  const next = { ...stream, shards, nextShardNumber: stream.nextShardNumber + children.length };
  const nextOps = targetShardCount === undefined ? [] : planScalingStep(shards.filter(isOpen), targetShardCount);
  const { reshard: _done, ...rest } = next;
  const updated: ControllerStream =
    nextOps.length > 0
      ? {
          ...next,
          status: "UPDATING",
          reshard: { ops: nextOps, sealed: [], targetShardCount: targetShardCount!, startedAtMs: nowMs },
        }
      : { ...rest, status: "ACTIVE" };
  const withChildren = withStream({ ...state, nextGroupId: state.nextGroupId + children.length }, updated);
  return withChildren;
}

/**
 * A child's replicas. Its parents are sealed already, so their keys wait for the children: with a broker
 * down, a child is placed on it too (its group runs on the live majority, and the down broker's replica is
 * rebuilt like any other if it stays away), live brokers first so that one is the preferred leader. Only
 * without a live majority for the child is the step refused (and retried once brokers are back).
 */
function placeChildReplicas(brokers: readonly BrokerInfo[], load: Map<string, BrokerLoad>, rf: number): string[] {
  const placed = placeReplicas(brokers, load, rf);
  if (!(placed instanceof KinesisError)) return placed;
  const asIfLive = placeReplicas(
    brokers.map((b) => (b.state === "live" ? b : { ...b, state: "live" as const })),
    load,
    rf,
  );
  if (asIfLive instanceof KinesisError) throw asIfLive;
  const isLive = (id: string) => brokers.find((b) => b.id === id)?.state === "live";
  const live = asIfLive.filter(isLive);
  if (live.length < Math.floor(rf / 2) + 1) throw placed;
  return [...live, ...asIfLive.filter((id) => !isLive(id))];
}

/** Closed shards past retention are forgotten (every record in them has expired). */
function forgetClosedShards(state: ControllerState, cmd: ForgetClosedShards): ApplyResult {
  validateTime(cmd.nowMs, "nowMs");
  let streams: Map<string, ControllerStream> | undefined;
  const forgotten: string[] = [];
  for (const stream of streamsByName(state)) {
    const retentionMs = stream.retentionPeriodHours * 3_600_000;
    const keep = stream.shards.filter(
      (s) => isOpen(s) || s.closedAtMs === undefined || s.closedAtMs + retentionMs > cmd.nowMs,
    );
    if (keep.length === stream.shards.length) continue;
    for (const s of stream.shards) if (!keep.includes(s)) forgotten.push(`${stream.streamName}/${s.shardId}`);
    streams ??= new Map(state.streams);
    streams.set(stream.streamName, { ...stream, shards: keep });
  }
  return { state: streams ? { ...state, streams } : state, result: { forgotten } };
}

/** The Stream view of a controller stream (the pure resharding functions need no replicas). */
function toStream(stream: ControllerStream): Stream {
  return stream as unknown as Stream;
}

// ---- consumer applications ----

function createApp(state: ControllerState, cmd: CreateApplication): ApplyResult {
  validateTime(cmd.nowMs, "nowMs");
  const stream = requireServing(state, cmd.streamName);
  const key = applicationKey(cmd.streamName, cmd.applicationName);
  const onStream = [...state.applications.values()].filter((a) => a.streamName === cmd.streamName).length;
  const app = createApplication(state.applications.get(key), onStream, { ...cmd, streamId: stream.streamId });
  return withApplication(state, app, app);
}

function deleteApp(state: ControllerState, cmd: DeleteApplication): ApplyResult {
  const app = requireApplication(state, cmd.streamName, cmd.applicationName);
  const applications = new Map(state.applications);
  applications.delete(applicationKey(app.streamName, app.applicationName));
  return { state: { ...state, applications }, result: app };
}

function workerHeartbeat(state: ControllerState, cmd: WorkerHeartbeat): ApplyResult {
  const stream = requireServing(state, cmd.streamName);
  const app = requireApplication(state, cmd.streamName, cmd.applicationName);
  const released = stringList(cmd.released, "Released");
  const reports = reportList(cmd.reports);
  if (typeof cmd.leaving !== "boolean") throw constraintViolation("Leaving", "be a boolean");
  const next = heartbeat(app, stream.shards, { ...cmd, released, reports });
  return withApplication(state, next.app, next.result);
}

function writeCheckpoint(state: ControllerState, cmd: WriteCheckpoint): ApplyResult {
  const stream = requireServing(state, cmd.streamName);
  const app = requireApplication(state, cmd.streamName, cmd.applicationName);
  if (!Number.isSafeInteger(cmd.epoch) || cmd.epoch < 1) throw constraintViolation("Epoch", "be a positive integer");
  const next = checkpoint(app, stream.shards, { ...cmd, position: positionOf(cmd.position) });
  return withApplication(state, next, next.shards.get(cmd.shardId)?.checkpoint);
}

function resetApp(state: ControllerState, cmd: ResetApplication): ApplyResult {
  const stream = requireServing(state, cmd.streamName);
  const app = requireApplication(state, cmd.streamName, cmd.applicationName);
  if (typeof cmd.force !== "boolean") throw constraintViolation("Force", "be a boolean");
  const { shardId, ...rest } = cmd;
  const next = resetApplication(app, stream.shards, {
    ...rest,
    position: positionOf(cmd.position),
    ...(shardId !== undefined ? { shardId } : {}),
  });
  return withApplication(state, next, next);
}

function withApplication(state: ControllerState, app: Application, result: unknown): ApplyResult {
  const applications = new Map(state.applications);
  applications.set(applicationKey(app.streamName, app.applicationName), app);
  return { state: { ...state, applications }, result };
}

function requireApplication(state: ControllerState, streamName: string, applicationName: string): Application {
  const app = state.applications.get(applicationKey(streamName, applicationName));
  if (!app) throw resourceNotFound(`Application ${applicationName} of stream ${streamName} not found.`);
  return app;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw constraintViolation(field, "be a list of strings");
  }
  return value as string[];
}

function reportList(value: unknown): ShardReport[] {
  if (!Array.isArray(value)) throw constraintViolation("Reports", "be a list");
  return value.map((r: unknown, i) => {
    const report = r as Record<string, unknown>;
    if (typeof report !== "object" || report === null || typeof report["shardId"] !== "string") {
      throw constraintViolation(`Reports.${i}.ShardId`, "be a string");
    }
    const lag = report["millisBehindLatest"];
    const reason = report["haltedReason"];
    if (lag !== undefined && (typeof lag !== "number" || !Number.isFinite(lag))) {
      throw constraintViolation(`Reports.${i}.MillisBehindLatest`, "be a number");
    }
    if (reason !== undefined && typeof reason !== "string") {
      throw constraintViolation(`Reports.${i}.HaltedReason`, "be a string");
    }
    return {
      shardId: report["shardId"],
      ...(lag !== undefined ? { millisBehindLatest: lag } : {}),
      ...(reason !== undefined ? { haltedReason: reason } : {}),
    };
  });
}

function positionOf(value: unknown): ResumePosition {
  const p = value as Record<string, unknown>;
  if (typeof p !== "object" || p === null || typeof p["type"] !== "string") {
    throw constraintViolation("Position.Type", "be a string");
  }
  const sequenceNumber = p["sequenceNumber"];
  const timestampMs = p["timestampMs"];
  if (sequenceNumber !== undefined && typeof sequenceNumber !== "string") {
    throw constraintViolation("Position.SequenceNumber", "be a string");
  }
  if (timestampMs !== undefined && typeof timestampMs !== "number") {
    throw constraintViolation("Position.Timestamp", "be a number");
  }
  return {
    type: p["type"] as ResumePosition["type"],
    ...(sequenceNumber !== undefined ? { sequenceNumber } : {}),
    ...(timestampMs !== undefined ? { timestampMs } : {}),
  };
}

// ---- tags and registered consumers ----

function addTags(state: ControllerState, cmd: AddTags): ApplyResult {
  const added = validateTagMap(cmd.tags);
  const stream = requireActiveForExtras(state, cmd.streamName);
  const tags = tagsAdded(stream.tags, added, stream.streamArn);
  return withStream(state, withExtras(stream, { tags, consumers: stream.consumers }));
}

function removeTags(state: ControllerState, cmd: RemoveTags): ApplyResult {
  const keys = validateTagKeys(cmd.tagKeys);
  const stream = requireActiveForExtras(state, cmd.streamName);
  const tags = tagsRemoved(stream.tags, keys);
  if (tags.length === (stream.tags?.length ?? 0)) return { state, result: stream }; // nothing to remove
  return withStream(state, withExtras(stream, { tags, consumers: stream.consumers }));
}

function registerConsumer(state: ControllerState, cmd: RegisterConsumer): ApplyResult {
  validateConsumerName(cmd.consumerName);
  validateTime(cmd.nowMs, "nowMs");
  const stream = requireActiveForExtras(state, cmd.streamName, cmd.streamId);
  const { consumers, consumer } = consumerRegistered(stream.consumers, stream.streamArn, cmd.consumerName, cmd.nowMs);
  const next = withStream(state, withExtras(stream, { tags: stream.tags, consumers }));
  return { state: next.state, result: consumer };
}

function deregisterConsumer(state: ControllerState, cmd: DeregisterConsumer): ApplyResult {
  validateConsumerName(cmd.consumerName);
  if (cmd.consumerArn !== undefined && typeof cmd.consumerArn !== "string") {
    throw constraintViolation("ConsumerARN", "be a string");
  }
  const stream = requireActiveForExtras(state, cmd.streamName);
  const { consumers, consumer } = consumerDeregistered(
    stream.consumers,
    stream.streamArn,
    cmd.consumerName,
    cmd.consumerArn,
  );
  const next = withStream(state, withExtras(stream, { tags: stream.tags, consumers }));
  return { state: next.state, result: consumer };
}

/**
 * Tags and consumers change on an ACTIVE or UPDATING stream (a reshard does not touch them). A DELETING
 * stream is in use, as Kinesis answers for a stream that is not ACTIVE; they go with it when it is gone.
 */
function requireActiveForExtras(state: ControllerState, streamName: string, streamId?: string): ControllerStream {
  const stream = requireStream(state, streamName);
  if (streamId !== undefined && streamId !== stream.streamId) {
    throw resourceNotFound(`Stream ${streamName} with id ${streamId} not found.`);
  }
  if (stream.status === "DELETING" || stream.status === "CREATING") {
    throw resourceInUse(`Stream ${streamName} is ${stream.status}; tags and consumers change only while it is ACTIVE.`);
  }
  return stream;
}

/** The stream with these extras; an empty list is left out, so a stream that had none equals one that never had. */
function withExtras(stream: ControllerStream, extras: StreamExtras): ControllerStream {
  const { tags: _tags, consumers: _consumers, ...rest } = stream;
  return {
    ...rest,
    ...(extras.tags && extras.tags.length > 0 ? { tags: extras.tags } : {}),
    ...(extras.consumers && extras.consumers.length > 0 ? { consumers: extras.consumers } : {}),
  };
}

// ---- principals and permissions ----

function createPrincipal(state: ControllerState, cmd: CreatePrincipal): ApplyResult {
  validatePrincipalName(cmd.name);
  validateAccessKeyId(cmd.accessKeyId);
  validateSecretSha256Hex(cmd.secretSha256Hex);
  validateTime(cmd.nowMs, "nowMs");
  const existing = state.principals.get(cmd.name);
  if (existing) {
    if (existing.accessKeyId === cmd.accessKeyId) return { state, result: existing }; // a retried proposal
    throw resourceInUse(`Principal ${cmd.name} already exists.`);
  }
  if ([...state.principals.values()].some((p) => p.accessKeyId === cmd.accessKeyId)) {
    throw resourceInUse(`Access key id ${cmd.accessKeyId} is already in use.`);
  }
  if (state.principals.size >= AUTH_LIMITS.principalsMax) {
    throw limitExceeded(
      `The cluster has ${state.principals.size} principals, the limit (${AUTH_LIMITS.principalsMax}).`,
    );
  }
  const principal: Principal = {
    name: cmd.name,
    accessKeyId: cmd.accessKeyId,
    secretSha256Hex: cmd.secretSha256Hex,
    createdAtMs: cmd.nowMs,
    grants: [],
  };
  return withPrincipal(state, principal);
}

function deletePrincipal(state: ControllerState, cmd: DeletePrincipal): ApplyResult {
  const principal = requirePrincipal(state, validatePrincipalName(cmd.name));
  const principals = new Map(state.principals);
  principals.delete(principal.name);
  return { state: { ...state, principals }, result: principal };
}

function grantPermission(state: ControllerState, cmd: GrantPermission): ApplyResult {
  const principal = requirePrincipal(state, validatePrincipalName(cmd.name));
  const resource = validateResource(cmd.resource);
  const actions = validateActions(cmd.actions);
  return withPrincipal(state, { ...principal, grants: grantAdded(principal.grants, resource, actions) });
}

function revokePermission(state: ControllerState, cmd: RevokePermission): ApplyResult {
  const principal = requirePrincipal(state, validatePrincipalName(cmd.name));
  const resource = validateResource(cmd.resource);
  const actions = validateActions(cmd.actions, "Actions", true);
  return withPrincipal(state, { ...principal, grants: grantRevoked(principal.grants, resource, actions) });
}

function withPrincipal(state: ControllerState, principal: Principal): ApplyResult {
  const principals = new Map(state.principals);
  principals.set(principal.name, principal);
  return { state: { ...state, principals }, result: principal };
}

function requirePrincipal(state: ControllerState, name: string): Principal {
  const principal = state.principals.get(name);
  if (!principal) throw resourceNotFound(`Principal ${name} not found.`);
  return principal;
}

/** The principal holding an access key id, if any. */
export function principalByAccessKeyId(state: ControllerState, accessKeyId: string): Principal | undefined {
  for (const principal of state.principals.values()) if (principal.accessKeyId === accessKeyId) return principal;
  return undefined;
}

// ---- placement changes ----

/**
 * The replica set after moving one replica from `from` to `to`. The new replica goes last: it starts
 * empty, so it must not be the preferred leader; if `from` led, the next replica becomes preferred.
 */
export function swapReplica(replicas: readonly string[], from: string, to: string): string[] {
  return [...replicas.filter((id) => id !== from), to];
}

function replaceReplica(state: ControllerState, cmd: ReplaceReplica): ApplyResult {
  const stream = requireServing(state, cmd.streamName);
  const index = stream.shards.findIndex((s) => s.shardId === cmd.shardId);
  const shard = stream.shards[index];
  if (!shard) throw resourceNotFound(`Shard ${cmd.shardId} in stream ${cmd.streamName} not found.`);
  if (!shard.replicas.includes(cmd.from)) {
    throw invalidArgument(`Broker ${cmd.from} holds no replica of ${cmd.shardId} in stream ${cmd.streamName}.`);
  }
  const to = requireBroker(state, cmd.to);
  if (shard.replicas.includes(to.id)) {
    throw invalidArgument(`Broker ${to.id} already holds a replica of ${cmd.shardId} in stream ${cmd.streamName}.`);
  }
  if (to.state !== "live") throw invalidArgument(`Broker ${to.id} is down; a new replica must go to a live broker.`);
  const shards = [...stream.shards];
  shards[index] = {
    ...shard,
    replicas: swapReplica(shard.replicas, cmd.from, to.id),
    replicaChanges: (shard.replicaChanges ?? 0) + 1,
  };
  const move: ReplicaMove = { streamName: stream.streamName, shardId: shard.shardId, from: cmd.from, to: to.id };
  return { state: withStream(state, { ...stream, shards }).state, result: move };
}

/**
 * Moves, for each shard, its first replica on a broker down for longer than `replaceAfterMs` to a
 * live broker (zone-aware, least loaded), one replica per shard per command. A shard is repaired only
 * while a majority of its replicas is live, since its Raft group must commit the change; one that
 * cannot be repaired (no free live broker, or too few live replicas) is left as it is. DELETING
 * streams are skipped. Idempotent: applying it again at the same time changes nothing more.
 */
function repairDownBrokers(state: ControllerState, cmd: RepairDownBrokers): ApplyResult {
  validateTime(cmd.nowMs, "nowMs");
  validateTime(cmd.replaceAfterMs, "replaceAfterMs");
  const expired = (id: string): boolean => {
    const broker = state.brokers.get(id);
    return !broker || downTooLong(broker, cmd.nowMs, cmd.replaceAfterMs);
  };
  const isLive = (id: string): boolean => state.brokers.get(id)?.state === "live";
  const brokers = [...state.brokers.values()];
  const load = computeLoad(state);
  const moves: ReplicaMove[] = [];
  let streams: Map<string, ControllerStream> | undefined;
  for (const stream of streamsByName(state)) {
    if (stream.status === "DELETING") continue;
    let shards: ReplicatedShard[] | undefined;
    stream.shards.forEach((shard, i) => {
      const failed = shard.replicas.find(expired);
      if (failed === undefined) return;
      const liveCount = shard.replicas.filter(isLive).length;
      if (liveCount < Math.floor(shard.replicas.length / 2) + 1) return;
      const to = replacementFor(brokers, load, shard.replicas, failed);
      if (to === undefined) return;
      const replicas = swapReplica(shard.replicas, failed, to);
      addLoad(load, shard.replicas, -1);
      addLoad(load, replicas);
      shards ??= [...stream.shards];
      shards[i] = { ...shard, replicas, replicaChanges: (shard.replicaChanges ?? 0) + 1 };
      moves.push({ streamName: stream.streamName, shardId: shard.shardId, from: failed, to });
    });
    if (shards) {
      streams ??= new Map(state.streams);
      streams.set(stream.streamName, { ...stream, shards });
    }
  }
  return { state: streams ? { ...state, streams } : state, result: { moves } };
}

// ---- validation ----

function validateName(value: string, field: string): void {
  if (typeof value !== "string") throw constraintViolation(field, "be a string");
  validateLength(value.length, 1, NAME_LENGTH_MAX, field);
}

function validateTime(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw constraintViolation(field, `be a non-negative integer number of milliseconds (got ${value})`);
  }
}

function validateMode(mode: string): void {
  if (!MODES.includes(mode as StreamMode)) {
    throw constraintViolation("StreamModeDetails.StreamMode", `satisfy enum value set: [${MODES.join(", ")}]`);
  }
}

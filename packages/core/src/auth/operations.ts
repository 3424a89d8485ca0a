/**
 * What each operation needs, by the name both front doors give it (the gRPC RPC name, the Kinesis
 * operation name; the two share names where they are the same operation). One table, so that the gRPC
 * API and the Kinesis endpoint cannot disagree; a unit test fails when an RPC or a Kinesis operation is
 * missing from it.
 *
 * - `stream`: the action on the stream the request names (by StreamName, StreamARN, ConsumerARN or the
 *   stream inside a shard iterator). A request that names no stream needs the action on `*`.
 * - `cluster`: the action on `*` (principal management).
 * - `authenticated`: any valid credentials (ListStreams then shows only the streams the caller has some
 *   action on; DescribeLimits tells only counts; InitProducer hands out an epoch of a producer id, which
 *   by itself writes nothing: every PutRecords with it still needs write on its stream).
 */
import type { Action } from "./permissions.js";

export type Requirement =
  | { readonly scope: "stream"; readonly action: Action }
  | { readonly scope: "cluster"; readonly action: Action }
  | { readonly scope: "authenticated" };

const stream = (action: Action): Requirement => ({ scope: "stream", action });
const AUTHENTICATED: Requirement = { scope: "authenticated" };
const CLUSTER_ADMIN: Requirement = { scope: "cluster", action: "admin" };

export const OPERATION_REQUIREMENTS: Readonly<Record<string, Requirement>> = {
  // read
  GetRecords: stream("read"),
  GetShardIterator: stream("read"),
  SubscribeToShard: stream("read"),
  DescribeStream: stream("read"),
  DescribeStreamSummary: stream("read"),
  ListShards: stream("read"),
  DescribeStreamConsumer: stream("read"),
  ListStreamConsumers: stream("read"),
  ListTagsForStream: stream("read"),
  // authentication only
  ListStreams: AUTHENTICATED,
  DescribeLimits: AUTHENTICATED,
  InitProducer: AUTHENTICATED,
  // write
  PutRecord: stream("write"),
  PutRecords: stream("write"),
  // consume: consumer applications (leases and checkpoints) and enhanced fan-out registrations
  CreateApplication: stream("consume"),
  DeleteApplication: stream("consume"),
  DescribeApplication: stream("consume"),
  ListApplications: stream("consume"),
  WorkerHeartbeat: stream("consume"),
  Checkpoint: stream("consume"),
  ResetApplication: stream("consume"),
  RegisterStreamConsumer: stream("consume"),
  DeregisterStreamConsumer: stream("consume"),
  // admin of a stream
  CreateStream: stream("admin"),
  DeleteStream: stream("admin"),
  SplitShard: stream("admin"),
  MergeShards: stream("admin"),
  UpdateShardCount: stream("admin"),
  UpdateRetentionPeriod: stream("admin"),
  IncreaseStreamRetentionPeriod: stream("admin"),
  DecreaseStreamRetentionPeriod: stream("admin"),
  UpdateStreamMode: stream("admin"),
  AddTagsToStream: stream("admin"),
  RemoveTagsFromStream: stream("admin"),
  // admin of the cluster
  CreatePrincipal: CLUSTER_ADMIN,
  DeletePrincipal: CLUSTER_ADMIN,
  ListPrincipals: CLUSTER_ADMIN,
  GrantPermission: CLUSTER_ADMIN,
  RevokePermission: CLUSTER_ADMIN,
};

/** The requirement of an operation; an operation missing from the table is refused (default deny). */
export function requirementOf(operation: string): Requirement | undefined {
  return Object.hasOwn(OPERATION_REQUIREMENTS, operation) ? OPERATION_REQUIREMENTS[operation] : undefined;
}

/**
 * The Kinesis operations of the HTTP endpoint: each takes the request's members (PascalCase, as the AWS
 * SDKs send them), runs the broker's own operation (the same validation, routing and forwarding as the
 * gRPC API), and answers with Kinesis's response shape. Blobs are Buffers and timestamps Dates here; the
 * codec writes them in the request's format. StreamARN is accepted wherever StreamName is.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { constraintViolation, invalidArgument, KinesisError, validateTagMap, type Caller } from "@eddy/core";
import type { AuthGate } from "../auth/gate.js";
import { streamsOfKinesisRequest } from "../auth/request-streams.js";
import {
  INVALID_TOKEN_MESSAGE,
  KINESIS_SIGNING_SERVICE,
  signingAccessKeyIdOf,
  verifySigV4,
  type SignedRequest,
} from "./sigv4.js";
import { fromServiceError } from "@eddy/api";
import type * as api from "@eddy/api";
import type { ClusterNode } from "../cluster/cluster-node.js";
import type { Metadata } from "../cluster/metadata.js";
import { FRESH_READ_OPERATIONS } from "../fresh-reads.js";
import type { StreamService } from "../service.js";
import { streamNameOfArn, type StreamAdmin } from "../stream-admin.js";
import {
  blobOf,
  boolOf,
  contentTypeOf,
  encodeBody,
  intOf,
  listOf,
  objectOf,
  requiredString,
  stringOf,
  timeOf,
} from "./codec.js";
import { errorReply } from "./errors.js";
import type { KinesisHandler, StreamReply } from "./server.js";

/** A subscription ends after five minutes, as Kinesis's does; the client subscribes again. */
export const SUBSCRIPTION_LIFETIME_MS = 5 * 60_000;

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

export interface KinesisDeps {
  readonly service: StreamService;
  readonly admin: StreamAdmin;
  readonly catalog: Metadata;
  readonly cluster: ClusterNode;
  /** With authentication on: requests must be SigV4-signed by root or a principal allowed the operation. */
  readonly gate?: AuthGate;
  /** The broker's region, which signatures must be scoped to (BrokerConfig.region). */
  readonly region?: string;
}

export class KinesisOperations implements KinesisHandler<Caller> {
  private readonly unary: Record<string, (input: Input) => Promise<Output> | Output>;
  private readonly events = new EventStreamCodec(toUtf8, fromUtf8);

  constructor(private readonly deps: KinesisDeps) {
    const { service, admin } = deps;
    this.unary = {
      CreateStream: async (i) => {
        const mode = streamModeOf(objectOf(i["StreamModeDetails"], "StreamModeDetails"));
        // Checked first: a bad tag must not leave a stream created without its tags.
        if (i["Tags"] !== undefined) validateTagMap(i["Tags"]);
        await service.createStream({
          stream_name: requiredString(i["StreamName"], "StreamName"),
          shard_count: intOf(i["ShardCount"], "ShardCount") ?? 0,
          stream_mode: mode ?? "PROVISIONED",
          retention_period_hours: 0,
          max_record_size_bytes: 0,
        });
        const tags = objectOf(i["Tags"], "Tags");
        if (tags) await admin.addTags(requiredString(i["StreamName"], "StreamName"), tagsOf(tags));
        return {};
      },
      DeleteStream: async (i) => {
        await service.deleteStream({
          stream_name: this.streamName(i),
          enforce_consumer_deletion: boolOf(i["EnforceConsumerDeletion"], "EnforceConsumerDeletion") ?? false,
        });
        return {};
      },
      DescribeStream: (i) => {
        const out = service.describeStream({
          stream_name: this.streamName(i),
          limit: intOf(i["Limit"], "Limit") ?? 0,
          exclusive_start_shard_id: stringOf(i["ExclusiveStartShardId"], "ExclusiveStartShardId") ?? "",
        });
        const d = out.stream_description!;
        return {
          StreamDescription: {
            StreamName: d.stream_name,
            StreamARN: d.stream_arn,
            StreamStatus: d.stream_status,
            StreamModeDetails: { StreamMode: d.stream_mode },
            Shards: (d.shards ?? []).map(shardOut),
            HasMoreShards: d.has_more_shards,
            RetentionPeriodHours: d.retention_period_hours,
            StreamCreationTimestamp: msDate(d.stream_creation_timestamp),
            EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
            EncryptionType: "NONE",
          },
        };
      },
      DescribeStreamSummary: (i) => {
        const name = this.streamName(i);
        const d = service.describeStreamSummary({ stream_name: name }).stream_description_summary!;
        return {
          StreamDescriptionSummary: {
            StreamName: d.stream_name,
            StreamARN: d.stream_arn,
            StreamStatus: d.stream_status,
            StreamModeDetails: { StreamMode: d.stream_mode },
            RetentionPeriodHours: d.retention_period_hours,
            StreamCreationTimestamp: msDate(d.stream_creation_timestamp),
            EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
            EncryptionType: "NONE",
            OpenShardCount: d.open_shard_count,
            ConsumerCount: admin.listConsumers(d.stream_arn, {}).consumers.length,
          },
        };
      },
      ListStreams: (i) => {
        const out = service.listStreams({
          limit: intOf(i["Limit"], "Limit") ?? 0,
          exclusive_start_stream_name: stringOf(i["ExclusiveStartStreamName"], "ExclusiveStartStreamName") ?? "",
          next_token: stringOf(i["NextToken"], "NextToken") ?? "",
        });
        return {
          StreamNames: out.stream_names,
          HasMoreStreams: out.has_more_streams,
          ...(out.next_token ? { NextToken: out.next_token } : {}),
          StreamSummaries: (out.stream_summaries ?? []).map((s) => ({
            StreamName: s.stream_name,
            StreamARN: s.stream_arn,
            StreamStatus: s.stream_status,
            StreamModeDetails: { StreamMode: s.stream_mode },
            StreamCreationTimestamp: msDate(s.stream_creation_timestamp),
          })),
        };
      },
      ListShards: (i) => {
        const nextToken = stringOf(i["NextToken"], "NextToken") ?? "";
        const filter = objectOf(i["ShardFilter"], "ShardFilter");
        const out = service.listShards({
          stream_name: nextToken ? "" : this.streamName(i),
          next_token: nextToken,
          exclusive_start_shard_id: stringOf(i["ExclusiveStartShardId"], "ExclusiveStartShardId") ?? "",
          max_results: intOf(i["MaxResults"], "MaxResults") ?? 0,
          shard_filter: filter ? shardFilterOf(filter) : null,
        } as api.ListShardsRequest__Output);
        return { Shards: (out.shards ?? []).map(shardOut), ...(out.next_token ? { NextToken: out.next_token } : {}) };
      },
      PutRecord: async (i) => {
        const out = await service.putRecord({
          stream_name: this.streamName(i),
          data: blobOf(i["Data"] ?? "", "Data"),
          partition_key: requiredString(i["PartitionKey"], "PartitionKey"),
          explicit_hash_key: stringOf(i["ExplicitHashKey"], "ExplicitHashKey") ?? "",
          sequence_number_for_ordering: stringOf(i["SequenceNumberForOrdering"], "SequenceNumberForOrdering") ?? "",
        });
        return { ShardId: out.shard_id, SequenceNumber: out.sequence_number, EncryptionType: "NONE" };
      },
      PutRecords: async (i) => {
        const records = listOf(i["Records"], "Records");
        if (records === undefined) throw constraintViolation("Records", "not be null");
        const out = await service.putRecords({
          stream_name: this.streamName(i),
          records: records.map((r, n) => {
            const entry = objectOf(r, `Records.${n}`) ?? {};
            return {
              data: blobOf(entry["Data"] ?? "", `Records.${n}.Data`),
              partition_key: requiredString(entry["PartitionKey"], `Records.${n}.PartitionKey`),
              explicit_hash_key: stringOf(entry["ExplicitHashKey"], `Records.${n}.ExplicitHashKey`) ?? "",
            };
          }),
          producer_id: "",
          producer_epoch: "0",
          producer_sequence: "0",
          producer_shard_id: "",
        });
        return {
          FailedRecordCount: out.failed_record_count,
          Records: (out.records ?? []).map((r) =>
            r.error_code
              ? { ErrorCode: kinesisErrorCode(r.error_code), ErrorMessage: r.error_message }
              : { ShardId: r.shard_id, SequenceNumber: r.sequence_number },
          ),
          EncryptionType: "NONE",
        };
      },
      GetShardIterator: async (i) => {
        const type = requiredString(i["ShardIteratorType"], "ShardIteratorType");
        const out = await service.getShardIterator({
          stream_name: this.streamName(i),
          shard_id: requiredString(i["ShardId"], "ShardId"),
          shard_iterator_type: type as api.GetShardIteratorRequest__Output["shard_iterator_type"],
          starting_sequence_number: stringOf(i["StartingSequenceNumber"], "StartingSequenceNumber") ?? "",
          timestamp: i["Timestamp"] === undefined ? "0" : String(timeOf(i["Timestamp"], "Timestamp").getTime()),
        });
        return { ShardIterator: out.shard_iterator };
      },
      GetRecords: async (i) => {
        const out = await service.getRecords({
          shard_iterator: requiredString(i["ShardIterator"], "ShardIterator"),
          limit: intOf(i["Limit"], "Limit") ?? 0,
        });
        return {
          Records: (out.records ?? []).map(recordOut),
          ...(out.next_shard_iterator ? { NextShardIterator: out.next_shard_iterator } : {}),
          MillisBehindLatest: Number(out.millis_behind_latest),
          ...((out.child_shards ?? []).length > 0 ? { ChildShards: (out.child_shards ?? []).map(childShardOut) } : {}),
        };
      },
      SplitShard: async (i) => {
        await service.splitShard({
          stream_name: this.streamName(i),
          shard_to_split: requiredString(i["ShardToSplit"], "ShardToSplit"),
          new_starting_hash_key: requiredString(i["NewStartingHashKey"], "NewStartingHashKey"),
        });
        return {};
      },
      MergeShards: async (i) => {
        await service.mergeShards({
          stream_name: this.streamName(i),
          shard_to_merge: requiredString(i["ShardToMerge"], "ShardToMerge"),
          adjacent_shard_to_merge: requiredString(i["AdjacentShardToMerge"], "AdjacentShardToMerge"),
        });
        return {};
      },
      UpdateShardCount: async (i) => {
        const name = this.streamName(i);
        const target = intOf(i["TargetShardCount"], "TargetShardCount");
        if (target === undefined) throw constraintViolation("TargetShardCount", "not be null");
        const out = await service.updateShardCount({
          stream_name: name,
          target_shard_count: target,
          scaling_type: requiredString(i["ScalingType"], "ScalingType"),
        });
        return {
          StreamName: out.stream_name,
          StreamARN: this.deps.catalog.require(name).streamArn,
          CurrentShardCount: out.current_shard_count,
          TargetShardCount: out.target_shard_count,
        };
      },
      IncreaseStreamRetentionPeriod: (i) => this.changeRetention(i, "increase"),
      DecreaseStreamRetentionPeriod: (i) => this.changeRetention(i, "decrease"),
      UpdateStreamMode: async (i) => {
        const mode = streamModeOf(objectOf(i["StreamModeDetails"], "StreamModeDetails"));
        if (mode === undefined) throw constraintViolation("StreamModeDetails", "not be null");
        await service.updateStreamMode({ stream_name: this.streamName(i), stream_mode: mode });
        return {};
      },
      AddTagsToStream: async (i) => {
        const tags = objectOf(i["Tags"], "Tags");
        if (tags === undefined) throw constraintViolation("Tags", "not be null");
        await admin.addTags(this.streamName(i), tagsOf(tags));
        return {};
      },
      RemoveTagsFromStream: async (i) => {
        const keys = listOf(i["TagKeys"], "TagKeys");
        if (keys === undefined) throw constraintViolation("TagKeys", "not be null");
        await admin.removeTags(
          this.streamName(i),
          keys.map((k, n) => requiredString(k, `TagKeys.${n}`)),
        );
        return {};
      },
      ListTagsForStream: (i) => {
        const out = admin.listTags(this.streamName(i), {
          ...optional("exclusiveStartTagKey", stringOf(i["ExclusiveStartTagKey"], "ExclusiveStartTagKey")),
          ...optional("limit", intOf(i["Limit"], "Limit")),
        });
        return { Tags: out.tags.map((t) => ({ Key: t.key, Value: t.value })), HasMoreTags: out.hasMoreTags };
      },
      DescribeLimits: () => {
        const l = admin.describeLimits();
        return {
          ShardLimit: l.shardLimit,
          OpenShardCount: l.openShardCount,
          OnDemandStreamCount: l.onDemandStreamCount,
          OnDemandStreamCountLimit: l.onDemandStreamCountLimit,
        };
      },
      RegisterStreamConsumer: async (i) => {
        const c = await admin.registerConsumer(
          requiredString(i["StreamARN"], "StreamARN"),
          requiredString(i["ConsumerName"], "ConsumerName"),
        );
        return { Consumer: consumerOut(c) };
      },
      DescribeStreamConsumer: (i) => {
        const c = admin.describeConsumer(consumerRef(i));
        return { ConsumerDescription: { ...consumerOut(c), StreamARN: c.streamArn } };
      },
      ListStreamConsumers: (i) => {
        const out = admin.listConsumers(requiredString(i["StreamARN"], "StreamARN"), {
          ...optional("nextToken", stringOf(i["NextToken"], "NextToken")),
          ...optional("maxResults", intOf(i["MaxResults"], "MaxResults")),
        });
        return { Consumers: out.consumers.map(consumerOut), ...(out.nextToken ? { NextToken: out.nextToken } : {}) };
      },
      DeregisterStreamConsumer: async (i) => {
        await admin.deregisterConsumer(consumerRef(i));
        return {};
      },
    };
  }

  /** Every operation the endpoint serves. */
  operationNames(): string[] {
    return [...Object.keys(this.unary), "SubscribeToShard"];
  }

  has(operation: string): boolean {
    return Object.hasOwn(this.unary, operation) || operation === "SubscribeToShard";
  }

  isStreaming(operation: string): boolean {
    return operation === "SubscribeToShard";
  }

  async authenticate(request: SignedRequest): Promise<Caller | undefined> {
    const gate = this.deps.gate;
    if (!gate) return undefined;
    // The lookup is async (a fresh metadata read for a key this broker does not know yet), the verifier
    // pure: look the key up first, then verify with what was found.
    const accessKeyId = signingAccessKeyIdOf(request);
    const found = accessKeyId === undefined ? undefined : await gate.signingSecretOf(accessKeyId);
    const verified = verifySigV4(request, {
      nowMs: Date.now(),
      region: this.deps.region ?? "us-east-1",
      service: KINESIS_SIGNING_SERVICE,
      secretOf: () => (found === undefined || found instanceof KinesisError ? (found ?? unknownKey()) : found.secret),
    });
    if (verified instanceof KinesisError) throw verified;
    return (found as { caller: Caller }).caller;
  }

  async call(operation: string, input: Input, caller?: Caller): Promise<Output> {
    await this.authorize(operation, input, caller);
    // Metadata reads see every change that returned, made through any broker.
    if (FRESH_READ_OPERATIONS.has(operation)) await this.deps.cluster.freshState();
    const output = await this.unary[operation]!(input);
    if (operation === "ListStreams" && caller && this.deps.gate) return this.visibleStreams(output, caller);
    return output;
  }

  private async authorize(operation: string, input: Input, caller: Caller | undefined): Promise<void> {
    const gate = this.deps.gate;
    if (!gate || !caller) return;
    const streams = streamsOfKinesisRequest(operation, input);
    for (const streamName of streams ?? [undefined]) await gate.authorize(caller, operation, streamName);
  }

  /** ListStreams shows a principal only the streams it has some action on. */
  private visibleStreams(output: Output, caller: Caller): Output {
    const gate = this.deps.gate!;
    const names = (output["StreamNames"] as string[]).filter((n) => gate.sees(caller, n));
    const summaries = (output["StreamSummaries"] as Array<{ StreamName: string }>).filter((s) =>
      gate.sees(caller, s.StreamName),
    );
    return { ...output, StreamNames: names, StreamSummaries: summaries };
  }

  /**
   * SubscribeToShard over the AWS event-stream encoding: an initial-response frame, then events as the
   * shard's records commit (and at least every few seconds while it is quiet), ChildShards at a closed
   * shard's end, until the subscription's five minutes are up or the client leaves.
   */
  async stream(operation: string, input: Input, reply: StreamReply, caller?: Caller): Promise<void> {
    // Authorized here; the loopback subscription below then runs with the broker's root credentials.
    await this.authorize(operation, input, caller);
    const consumerArn = requiredString(input["ConsumerARN"], "ConsumerARN");
    const consumer = this.deps.admin.describeConsumer({ consumerArn });
    const streamName = streamNameOfArn(consumer.streamArn, "ConsumerARN");
    const shardId = requiredString(input["ShardId"], "ShardId");
    const start = objectOf(input["StartingPosition"], "StartingPosition");
    if (start === undefined) throw constraintViolation("StartingPosition", "not be null");
    const type = requiredString(start["Type"], "StartingPosition.Type");
    const types = ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "AT_TIMESTAMP"];
    if (!types.includes(type)) {
      throw constraintViolation("StartingPosition.Type", `satisfy enum value set: [${types.join(", ")}]`);
    }
    const request: api.SubscribeToShardRequest = {
      stream_name: streamName,
      shard_id: shardId,
      starting_position: {
        type: type as api.StartingPosition["type"],
        sequence_number: stringOf(start["SequenceNumber"], "StartingPosition.SequenceNumber") ?? "",
        timestamp:
          start["Timestamp"] === undefined
            ? "0"
            : String(timeOf(start["Timestamp"], "StartingPosition.Timestamp").getTime()),
      },
      consumer_name: consumer.consumerName,
    };
    // Checked before the response starts, so that a bad request is an ordinary error answer.
    this.deps.service.requireShard(this.deps.catalog.requireServing(streamName), shardId);
    const client = this.deps.cluster.streamsClient(this.deps.cluster.advertisedAddress);
    const call = client.SubscribeToShard(request);
    const payloadType = contentTypeOf(reply.format);
    const frame = (headers: Record<string, string>, body: unknown): Uint8Array =>
      this.events.encode({
        headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: "string", value: v }])),
        body: encodeBody(reply.format, body),
      });
    const events = call as AsyncIterable<api.SubscribeToShardEvent__Output>;
    // The response starts at once (the SDK waits for it before its caller can put anything); a failure
    // of the subscription from here on is an exception event.
    reply.begin({ "content-type": "application/vnd.amazon.eventstream" });
    reply.write(
      frame({ ":event-type": "initial-response", ":message-type": "event", ":content-type": payloadType }, {}),
    );
    const lifetime = setTimeout(() => call.cancel(), SUBSCRIPTION_LIFETIME_MS);
    void reply.closed.then(() => call.cancel());
    try {
      for await (const e of events) {
        const body = {
          Records: (e.records ?? []).map(recordOut),
          ContinuationSequenceNumber: e.continuation_sequence_number || undefined,
          MillisBehindLatest: Number(e.millis_behind_latest),
          ...((e.child_shards ?? []).length > 0 ? { ChildShards: (e.child_shards ?? []).map(childShardOut) } : {}),
        };
        const ok = reply.write(
          frame(
            { ":event-type": "SubscribeToShardEvent", ":message-type": "event", ":content-type": payloadType },
            body,
          ),
        );
        if (!ok) await reply.drained();
      }
    } catch (error) {
      const { type, message } = errorReply(errorOfGrpc(error));
      if (!isCancelled(error)) {
        reply.write(
          frame({ ":exception-type": type, ":message-type": "exception", ":content-type": payloadType }, { message }),
        );
      }
    } finally {
      clearTimeout(lifetime);
      reply.end();
    }
  }

  private streamName(input: Input): string {
    const name = stringOf(input["StreamName"], "StreamName");
    if (name !== undefined) return name;
    const arn = stringOf(input["StreamARN"], "StreamARN");
    if (arn !== undefined) return streamNameOfArn(arn, "StreamARN");
    throw invalidArgument("Either StreamName or StreamARN must be provided.");
  }

  private async changeRetention(input: Input, direction: "increase" | "decrease"): Promise<Output> {
    const name = this.streamName(input);
    const hours = intOf(input["RetentionPeriodHours"], "RetentionPeriodHours");
    if (hours === undefined) throw constraintViolation("RetentionPeriodHours", "not be null");
    const current = this.deps.catalog.requireServing(name).retentionPeriodHours;
    if (direction === "increase" && hours < current) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${name} can not be shorter than existing retention period (${current} hours). Use DecreaseRetentionPeriod API.`,
      );
    }
    if (direction === "decrease" && hours > current) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${name} can not be longer than existing retention period (${current} hours). Use IncreaseRetentionPeriod API.`,
      );
    }
    await this.deps.service.updateRetentionPeriod({ stream_name: name, retention_period_hours: hours });
    return {};
  }
}

function unknownKey(): KinesisError {
  return new KinesisError("UnrecognizedClientException", INVALID_TOKEN_MESSAGE);
}

// ---- shapes ----

/** An int64 of milliseconds as the service answers it (a decimal string, a number or a Long). */
function msDate(value: unknown): Date {
  return new Date(Number(String(value ?? 0)));
}

function shardOut(s: api.Shard): Output {
  return {
    ShardId: s.shard_id,
    ...(s.parent_shard_id ? { ParentShardId: s.parent_shard_id } : {}),
    ...(s.adjacent_parent_shard_id ? { AdjacentParentShardId: s.adjacent_parent_shard_id } : {}),
    HashKeyRange: {
      StartingHashKey: s.hash_key_range?.starting_hash_key,
      EndingHashKey: s.hash_key_range?.ending_hash_key,
    },
    SequenceNumberRange: {
      StartingSequenceNumber: s.sequence_number_range?.starting_sequence_number,
      ...(s.sequence_number_range?.ending_sequence_number
        ? { EndingSequenceNumber: s.sequence_number_range.ending_sequence_number }
        : {}),
    },
  };
}

function recordOut(r: api.Record): Output {
  return {
    SequenceNumber: r.sequence_number,
    ApproximateArrivalTimestamp: msDate(r.approximate_arrival_timestamp),
    Data: Buffer.from(r.data ?? new Uint8Array(0)),
    PartitionKey: r.partition_key,
    EncryptionType: "NONE",
  };
}

function childShardOut(c: api.ChildShard): Output {
  return {
    ShardId: c.shard_id,
    ParentShards: c.parent_shards ?? [],
    HashKeyRange: {
      StartingHashKey: c.hash_key_range?.starting_hash_key,
      EndingHashKey: c.hash_key_range?.ending_hash_key,
    },
  };
}

function consumerOut(c: {
  consumerName: string;
  consumerArn: string;
  consumerStatus: string;
  consumerCreationTimestamp: Date;
}): Output {
  return {
    ConsumerName: c.consumerName,
    ConsumerARN: c.consumerArn,
    ConsumerStatus: c.consumerStatus,
    ConsumerCreationTimestamp: c.consumerCreationTimestamp,
  };
}

function consumerRef(i: Input): { streamArn?: string; consumerName?: string; consumerArn?: string } {
  return {
    ...optional("streamArn", stringOf(i["StreamARN"], "StreamARN")),
    ...optional("consumerName", stringOf(i["ConsumerName"], "ConsumerName")),
    ...optional("consumerArn", stringOf(i["ConsumerARN"], "ConsumerARN")),
  };
}

function streamModeOf(details: Record<string, unknown> | undefined): "PROVISIONED" | "ON_DEMAND" | undefined {
  if (details === undefined) return undefined;
  const mode = requiredString(details["StreamMode"], "StreamModeDetails.StreamMode");
  if (mode !== "PROVISIONED" && mode !== "ON_DEMAND") {
    throw constraintViolation("StreamModeDetails.StreamMode", "satisfy enum value set: [PROVISIONED, ON_DEMAND]");
  }
  return mode;
}

function shardFilterOf(filter: Record<string, unknown>): api.ShardFilter__Output {
  const type = requiredString(filter["Type"], "ShardFilter.Type");
  const types = [
    "AFTER_SHARD_ID",
    "AT_TRIM_HORIZON",
    "FROM_TRIM_HORIZON",
    "AT_LATEST",
    "AT_TIMESTAMP",
    "FROM_TIMESTAMP",
  ];
  if (!types.includes(type))
    throw constraintViolation("ShardFilter.Type", `satisfy enum value set: [${types.join(", ")}]`);
  return {
    type: (type === "AT_TIMESTAMP" ? "AT_TIMESTAMP_FILTER" : type) as api.ShardFilter__Output["type"],
    shard_id: stringOf(filter["ShardId"], "ShardFilter.ShardId") ?? "",
    timestamp:
      filter["Timestamp"] === undefined ? "0" : String(timeOf(filter["Timestamp"], "ShardFilter.Timestamp").getTime()),
  };
}

/** Built with fromEntries: a "__proto__" key stays a key. */
function tagsOf(tags: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, requiredString(value, `Tags.${key}`)]));
}

/** A PutRecords entry's error as Kinesis names it; Eddy's internal, retriable ones are InternalFailure. */
function kinesisErrorCode(code: string): string {
  return code === "ProvisionedThroughputExceededException" ? code : "InternalFailure";
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function isCancelled(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: number }).code === 1;
}

/** A gRPC failure of the loopback subscription as the KinesisError it carries. */
function errorOfGrpc(error: unknown): KinesisError {
  return error instanceof KinesisError ? error : fromServiceError(error as never);
}

/**
 * Stream tags, registered stream consumers (enhanced fan-out registrations) and account limits, with
 * Kinesis's semantics, for the Kinesis-compatible endpoint. Every change is a controller command (so it
 * is replicated, and its limits are checked in one place against the committed state); reads come from
 * this broker's replica of the controller state. Inputs are validated here first, so that bad input is
 * refused without a proposal and changes nothing.
 */
import { Buffer } from "node:buffer";
import {
  STREAM_EXTRAS_LIMITS,
  constraintViolation,
  invalidArgument,
  isOpen,
  pageOfConsumers,
  pageOfTags,
  parseConsumerArn,
  resourceNotFound,
  streamNameOfArn,
  validateConsumerName,
  validateLength,
  validateListLimit,
  validateListTagsLimit,
  validateStreamName,
  validateTagKeys,
  validateTagMap,
  type ConsumerStatus,
  type ControllerStream,
  type StreamConsumer,
  type StreamTag,
} from "@eddy/core";
import type { ClusterNode } from "./cluster/cluster-node.js";
import type { BrokerConfig } from "./config.js";

export { streamNameOfArn };

/** ListStreamConsumers' NextToken is 1..1048576 characters. */
const NEXT_TOKEN_LENGTH_MAX = 1_048_576;
const NEXT_TOKEN_VERSION = 1;

export interface Consumer {
  readonly consumerName: string;
  readonly consumerArn: string;
  readonly consumerStatus: ConsumerStatus;
  readonly consumerCreationTimestamp: Date;
}

export interface ConsumerDescription extends Consumer {
  readonly streamArn: string;
}

/** Names a consumer: by its ARN, or by its stream's ARN and its name (both ways agreeing when both given). */
export interface ConsumerRef {
  readonly streamArn?: string;
  readonly consumerName?: string;
  readonly consumerArn?: string;
}

export interface ListTagsOptions {
  readonly exclusiveStartTagKey?: string;
  /** 1..50; 50 when not given. */
  readonly limit?: number;
}

export interface ListConsumersOptions {
  readonly nextToken?: string;
  /** 1..10000; a page holds at most 100, and 100 when not given. */
  readonly maxResults?: number;
  /** When given, the stream must have been created at this time (to the second); not with `nextToken`. */
  readonly streamCreationTimestamp?: Date;
}

export interface AccountLimits {
  readonly shardLimit: number;
  readonly openShardCount: number;
  readonly onDemandStreamCount: number;
  readonly onDemandStreamCountLimit: number;
}

export class StreamAdmin {
  constructor(
    private readonly cluster: ClusterNode,
    private readonly config: BrokerConfig,
  ) {}

  // ---- tags ----

  /** AddTagsToStream: adds tags, or overwrites the values of keys the stream has. */
  async addTags(streamName: string, tags: Readonly<Record<string, string>>): Promise<void> {
    validateStreamName(streamName);
    const sorted = validateTagMap(tags);
    await this.cluster.submit({ type: "AddTags", streamName, tags: tagRecord(sorted) });
  }

  /** RemoveTagsFromStream: keys the stream does not have are ignored. */
  async removeTags(streamName: string, tagKeys: readonly string[]): Promise<void> {
    validateStreamName(streamName);
    await this.cluster.submit({ type: "RemoveTags", streamName, tagKeys: validateTagKeys(tagKeys) });
  }

  /** ListTagsForStream: tags in key order after `exclusiveStartTagKey`; HasMoreTags when more follow. */
  listTags(streamName: string, options: ListTagsOptions = {}): { tags: StreamTag[]; hasMoreTags: boolean } {
    validateStreamName(streamName);
    const limit = options.limit ?? STREAM_EXTRAS_LIMITS.listTagsLimitMax;
    validateListTagsLimit(limit);
    const start = options.exclusiveStartTagKey;
    if (start !== undefined) {
      validateLength(start.length, 1, STREAM_EXTRAS_LIMITS.tagKeyLengthMax, "ExclusiveStartTagKey");
    }
    return pageOfTags(this.requireStream(streamName).tags, start, limit);
  }

  // ---- registered consumers ----

  /** RegisterStreamConsumer: the consumer is ACTIVE at once (Eddy has nothing to provision). */
  async registerConsumer(streamArn: string, consumerName: string): Promise<ConsumerDescription> {
    const name = streamNameOfArn(streamArn, "StreamARN");
    validateConsumerName(consumerName);
    const stream = this.requireStreamByArn(streamArn, name);
    const consumer = (await this.cluster.submit({
      type: "RegisterConsumer",
      streamName: name,
      consumerName,
      nowMs: Date.now(),
      streamId: stream.streamId,
    })) as StreamConsumer;
    return describe(consumer, stream.streamArn);
  }

  /** DescribeStreamConsumer. */
  describeConsumer(ref: ConsumerRef): ConsumerDescription {
    const { stream, consumer } = this.requireConsumer(ref);
    return describe(consumer, stream.streamArn);
  }

  /**
   * ListStreamConsumers, in name order. The token names the stream's incarnation and the last name
   * returned, so pages stay stable while consumers come and go: none is returned twice or skipped,
   * except those registered or removed meanwhile. A missing `streamArn` (as an optional field of a
   * decoded message may be) is refused like a malformed one.
   */
  listConsumers(
    streamArn: string | undefined,
    options: ListConsumersOptions = {},
  ): { consumers: Consumer[]; nextToken?: string } {
    if (streamArn === undefined) throw constraintViolation("StreamARN", "not be null");
    const name = streamNameOfArn(streamArn, "StreamARN");
    const maxResults = options.maxResults ?? STREAM_EXTRAS_LIMITS.listConsumersPageMax;
    validateListLimit(maxResults, STREAM_EXTRAS_LIMITS.listConsumersMaxResultsMax, "MaxResults");
    const stream = this.requireStreamByArn(streamArn, name);
    let after: string | undefined;
    if (options.nextToken !== undefined) {
      if (options.streamCreationTimestamp !== undefined) {
        throw invalidArgument("NextToken and StreamCreationTimestamp cannot be provided together.");
      }
      const token = decodeConsumersToken(options.nextToken);
      if (token.streamArn !== stream.streamArn || token.streamId !== stream.streamId) {
        throw invalidArgument(`NextToken is not a token of stream ${stream.streamArn}.`);
      }
      after = token.after;
    } else if (options.streamCreationTimestamp !== undefined) {
      requireCreatedAt(stream, options.streamCreationTimestamp);
    }
    const limit = Math.min(maxResults, STREAM_EXTRAS_LIMITS.listConsumersPageMax);
    const page = pageOfConsumers(stream.consumers, after, limit);
    const last = page.consumers.at(-1);
    return {
      consumers: page.consumers.map(consumerOf),
      ...(page.hasMore && last
        ? {
            nextToken: encodeConsumersToken({
              streamArn: stream.streamArn,
              streamId: stream.streamId,
              after: last.consumerName,
            }),
          }
        : {}),
    };
  }

  /** DeregisterStreamConsumer: the consumer is gone at once. */
  async deregisterConsumer(ref: ConsumerRef): Promise<void> {
    const { stream, consumer } = this.requireConsumer(ref);
    await this.cluster.submit({
      type: "DeregisterConsumer",
      streamName: stream.streamName,
      consumerName: consumer.consumerName,
      consumerArn: consumer.consumerArn,
    });
  }

  // ---- limits ----

  /** DescribeLimits: the account's (this cluster's) shard limit and on-demand stream limit, and their use. */
  describeLimits(): AccountLimits {
    const streams = [...this.cluster.state.streams.values()];
    return {
      shardLimit: this.config.shardCountTotalMax,
      openShardCount: streams.reduce((n, s) => n + s.shards.filter(isOpen).length, 0),
      onDemandStreamCount: streams.filter((s) => s.mode === "ON_DEMAND").length,
      onDemandStreamCountLimit: STREAM_EXTRAS_LIMITS.onDemandStreamCountMax,
    };
  }

  // ---- lookups ----

  private requireStream(streamName: string): ControllerStream {
    const stream = this.cluster.state.streams.get(streamName);
    if (!stream) throw resourceNotFound(`Stream ${streamName} under account ${this.config.accountId} not found.`);
    return stream;
  }

  /** The stream an ARN names: the name must exist here, in this region and account. */
  private requireStreamByArn(streamArn: string, streamName: string): ControllerStream {
    const stream = this.cluster.state.streams.get(streamName);
    if (!stream || stream.streamArn !== streamArn) throw resourceNotFound(`Stream ${streamArn} not found.`);
    return stream;
  }

  private requireConsumer(ref: ConsumerRef): { stream: ControllerStream; consumer: StreamConsumer } {
    const { streamArn, streamName, consumerName, consumerArn } = resolveConsumerRef(ref);
    const stream = this.requireStreamByArn(streamArn, streamName);
    const consumer = stream.consumers?.find((c) => c.consumerName === consumerName);
    if (!consumer || (consumerArn !== undefined && consumer.consumerArn !== consumerArn)) {
      throw resourceNotFound(`Consumer ${consumerArn ?? consumerName} of stream ${streamArn} not found.`);
    }
    return { stream, consumer };
  }
}

/**
 * Checks a consumer reference: ConsumerARN alone, or StreamARN and ConsumerName; when all are given they
 * must name the same consumer.
 */
export function resolveConsumerRef(ref: ConsumerRef): {
  streamArn: string;
  streamName: string;
  consumerName: string;
  consumerArn?: string;
} {
  if (ref.consumerArn !== undefined) {
    const parts = parseConsumerArn(ref.consumerArn, "ConsumerARN");
    if (ref.streamArn !== undefined && ref.streamArn !== parts.streamArn) {
      throw invalidArgument(`StreamARN ${ref.streamArn} is not the stream of ConsumerARN ${ref.consumerArn}.`);
    }
    if (ref.consumerName !== undefined && ref.consumerName !== parts.consumerName) {
      throw invalidArgument(`ConsumerName ${ref.consumerName} is not the name in ConsumerARN ${ref.consumerArn}.`);
    }
    return { ...parts, consumerArn: ref.consumerArn };
  }
  if (ref.streamArn === undefined || ref.consumerName === undefined) {
    throw invalidArgument("Either ConsumerARN, or both StreamARN and ConsumerName, must be provided.");
  }
  return {
    streamArn: ref.streamArn,
    streamName: streamNameOfArn(ref.streamArn, "StreamARN"),
    consumerName: validateConsumerName(ref.consumerName),
  };
}

// ---- ListStreamConsumers tokens ----

export interface ConsumersToken {
  readonly streamArn: string;
  /** The stream's incarnation: a token of a deleted stream does not page a new one of the same name. */
  readonly streamId: string;
  /** The last consumer name returned; the next page starts after it. */
  readonly after: string;
}

/** Opaque to clients: base64url of a small versioned JSON object. */
export function encodeConsumersToken(token: ConsumersToken): string {
  const json = JSON.stringify({ v: NEXT_TOKEN_VERSION, arn: token.streamArn, id: token.streamId, after: token.after });
  return Buffer.from(json, "utf8").toString("base64url");
}

export function decodeConsumersToken(text: string): ConsumersToken {
  if (typeof text !== "string") throw constraintViolation("NextToken", "be a string");
  validateLength(text.length, 1, NEXT_TOKEN_LENGTH_MAX, "NextToken");
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(text) ? JSON.parse(Buffer.from(text, "base64url").toString("utf8")) : undefined;
  } catch {
    parsed = undefined;
  }
  const token = parsed as { v?: unknown; arn?: unknown; id?: unknown; after?: unknown } | undefined;
  if (
    typeof token !== "object" ||
    token === null ||
    token.v !== NEXT_TOKEN_VERSION ||
    typeof token.arn !== "string" ||
    typeof token.id !== "string" ||
    typeof token.after !== "string"
  ) {
    throw invalidArgument("NextToken is invalid.");
  }
  return { streamArn: token.arn, streamId: token.id, after: token.after };
}

// ---- shapes ----

function consumerOf(consumer: StreamConsumer): Consumer {
  return {
    consumerName: consumer.consumerName,
    consumerArn: consumer.consumerArn,
    consumerStatus: consumer.consumerStatus,
    consumerCreationTimestamp: new Date(consumer.consumerCreationTimestampMs),
  };
}

function describe(consumer: StreamConsumer, streamArn: string): ConsumerDescription {
  return { ...consumerOf(consumer), streamArn };
}

/** A record that can carry any tag key, "__proto__" included, as its own property. */
function tagRecord(tags: readonly StreamTag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.key, t.value]));
}

/** Kinesis's timestamps have second resolution on the wire; so does this comparison. */
function requireCreatedAt(stream: ControllerStream, createdAt: Date): void {
  const createdAtMs = createdAt.getTime();
  if (Number.isNaN(createdAtMs)) throw constraintViolation("StreamCreationTimestamp", "be a valid timestamp");
  if (Math.floor(createdAtMs / 1000) !== Math.floor(stream.createdAtMs / 1000)) {
    throw resourceNotFound(`Stream ${stream.streamArn} created at ${createdAt.toISOString()} not found.`);
  }
}

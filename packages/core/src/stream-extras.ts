/**
 * Stream tags and registered stream consumers (enhanced fan-out registrations), as Kinesis has them:
 * their limits, their validation in Kinesis's wording, their ARNs, and the pure changes the controller
 * applies to them. A stream keeps its tags sorted by key and its consumers sorted by name, so that equal
 * metadata is equal data (and equal snapshot bytes) whatever order the changes came in.
 */
import { assert, invalidArgument, limitExceeded, resourceInUse, resourceNotFound } from "./errors.js";
import { codePointCountCapped, validateLength, validateStreamName } from "./validation.js";
import { constraintViolation } from "./violations.js";

/** Kinesis's documented limits for tags and consumers. */
export const STREAM_EXTRAS_LIMITS = {
  /** Tags on one stream. */
  tagsPerStreamMax: 50,
  /** Tags one AddTagsToStream may carry ("a set of up to 50 key-value pairs"). */
  tagsPerCallMax: 50,
  /** Keys one RemoveTagsFromStream may carry. */
  tagKeysPerCallMax: 50,
  /** Unicode characters (code points). */
  tagKeyLengthMax: 128,
  tagValueLengthMax: 256,
  /** ListTagsForStream's Limit: 1..50, 50 when not given. */
  listTagsLimitMax: 50,
  /** Consumers registered with one stream (provisioned and on-demand standard streams). */
  consumersPerStreamMax: 20,
  consumerNameLengthMax: 128,
  /** ListStreamConsumers' MaxResults may be 1..10000, but a page holds at most 100. */
  listConsumersMaxResultsMax: 10_000,
  listConsumersPageMax: 100,
  /** StreamARN and ConsumerARN are 1..2048 characters. */
  arnLengthMax: 2048,
  /** Kinesis's default account limit on ON_DEMAND streams (DescribeLimits' OnDemandStreamCountLimit). */
  onDemandStreamCountMax: 50,
} as const;

const L = STREAM_EXTRAS_LIMITS;
assert(L.tagsPerCallMax <= L.tagsPerStreamMax, "one AddTags call must fit on a stream");
assert(L.listTagsLimitMax <= L.tagsPerStreamMax, "a ListTags page larger than a stream's tags is pointless");
assert(L.listConsumersPageMax <= L.listConsumersMaxResultsMax, "the consumers page cap must be a legal MaxResults");
assert(L.consumersPerStreamMax <= L.listConsumersPageMax, "one page must hold every consumer of a stream");

export interface StreamTag {
  readonly key: string;
  readonly value: string;
}

/** Eddy registers consumers ACTIVE at once and removes them at once; the other states are Kinesis's. */
export type ConsumerStatus = "CREATING" | "ACTIVE" | "DELETING";

/** A registered consumer as the controller keeps it. */
export interface StreamConsumer {
  readonly consumerName: string;
  /** `${streamArn}/consumer/${consumerName}:${creation time in epoch seconds}`. */
  readonly consumerArn: string;
  readonly consumerStatus: ConsumerStatus;
  readonly consumerCreationTimestampMs: number;
}

/** What a stream carries besides its shards; both absent when empty. */
export interface StreamExtras {
  /** Sorted by key. */
  readonly tags?: readonly StreamTag[];
  /** Sorted by name. */
  readonly consumers?: readonly StreamConsumer[];
}

// ---- validation ----

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}\s_./=+\-%@:]*$/u;
const TAG_CHARACTERS_TEXT = "contain only Unicode letters, digits, white space and _ . / = + - % @ :";
const RESERVED_TAG_PREFIX = "aws:";
const CONSUMER_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
const STREAM_ARN_PATTERN = /^arn:aws[^:]*:kinesis:([^:]*):(\d{12}):stream\/(.+)$/;
const STREAM_ARN_PATTERN_TEXT = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";
const CONSUMER_ARN_PATTERN = /^(arn:aws[^:]*:kinesis:[^:]*:\d{12}:stream\/[^/]+)\/consumer\/([^:]+):(\d+)$/;
const CONSUMER_ARN_PATTERN_TEXT =
  "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";

export function validateTagKey(key: unknown, field: string): string {
  if (typeof key !== "string") throw constraintViolation(field, "be a string");
  validateLength(codePointCountCapped(key, L.tagKeyLengthMax + 1), 1, L.tagKeyLengthMax, field);
  if (!TAG_CHARACTERS.test(key)) throw constraintViolation(field, TAG_CHARACTERS_TEXT);
  if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
    throw invalidArgument(`Tag key ${key} is invalid: the prefix ${RESERVED_TAG_PREFIX} is reserved for AWS use.`);
  }
  return key;
}

export function validateTagValue(value: unknown, field: string): string {
  if (typeof value !== "string") throw constraintViolation(field, "be a string");
  validateLength(codePointCountCapped(value, L.tagValueLengthMax + 1), 0, L.tagValueLengthMax, field);
  if (!TAG_CHARACTERS.test(value)) throw constraintViolation(field, TAG_CHARACTERS_TEXT);
  return value;
}

/** AddTagsToStream's Tags: a map of 1..50 entries. Returns the tags sorted by key. */
export function validateTagMap(tags: unknown, field = "Tags"): StreamTag[] {
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) {
    throw constraintViolation(field, "be a map of tag keys to tag values");
  }
  const entries = Object.entries(tags as Record<string, unknown>);
  validateLength(entries.length, 1, L.tagsPerCallMax, field);
  return entries
    .map(([key, value]) => ({
      key: validateTagKey(key, `${field}.${shortened(key)}.key`),
      value: validateTagValue(value, `${field}.${shortened(key)}.value`),
    }))
    .sort((a, b) => compareCodeUnits(a.key, b.key));
}

/** RemoveTagsFromStream's TagKeys: a list of 1..50 keys. Returns them without repeats. */
export function validateTagKeys(keys: unknown, field = "TagKeys"): string[] {
  if (!Array.isArray(keys)) throw constraintViolation(field, "be a list of tag keys");
  validateLength(keys.length, 1, L.tagKeysPerCallMax, field);
  return [...new Set(keys.map((key: unknown, i) => validateTagKey(key, `${field}.${i + 1}.member`)))];
}

/** ListTagsForStream's Limit: 1..50. */
export function validateListTagsLimit(limit: number, field = "Limit"): void {
  if (!Number.isInteger(limit)) throw constraintViolation(field, `be an integer between 1 and ${L.listTagsLimitMax}`);
  if (limit < 1) throw constraintViolation(field, "have value greater than or equal to 1");
  if (limit > L.listTagsLimitMax)
    throw constraintViolation(field, `have value less than or equal to ${L.listTagsLimitMax}`);
}

export function validateConsumerName(name: unknown, field = "ConsumerName"): string {
  if (typeof name !== "string") throw constraintViolation(field, "be a string");
  validateLength(name.length, 1, L.consumerNameLengthMax, field);
  if (!CONSUMER_NAME_PATTERN.test(name)) {
    throw constraintViolation(field, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
  return name;
}

// ---- ARNs ----

export interface StreamArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly streamName: string;
}

/** Parses `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME` (Kinesis's StreamARN pattern, NAME a legal stream name). */
export function parseStreamArn(arn: unknown, field = "StreamARN"): StreamArnParts {
  if (typeof arn !== "string") throw constraintViolation(field, "be a string");
  validateLength(arn.length, 1, L.arnLengthMax, field);
  const match = STREAM_ARN_PATTERN.exec(arn);
  if (!match) throw constraintViolation(field, `satisfy regular expression pattern: ${STREAM_ARN_PATTERN_TEXT}`);
  const [, region = "", accountId = "", streamName = ""] = match;
  validateStreamName(streamName, field);
  return { region, accountId, streamName };
}

/** The stream name in a stream ARN; an InvalidArgumentException naming `field` for anything else. */
export function streamNameOfArn(arn: unknown, field = "StreamARN"): string {
  return parseStreamArn(arn, field).streamName;
}

export interface ConsumerArnParts {
  readonly streamArn: string;
  readonly streamName: string;
  readonly consumerName: string;
  readonly creationEpochSeconds: number;
}

/** Parses `${streamArn}/consumer/${consumerName}:${creationEpochSeconds}`. */
export function parseConsumerArn(arn: unknown, field = "ConsumerARN"): ConsumerArnParts {
  if (typeof arn !== "string") throw constraintViolation(field, "be a string");
  validateLength(arn.length, 1, L.arnLengthMax, field);
  const match = CONSUMER_ARN_PATTERN.exec(arn);
  if (!match) throw constraintViolation(field, `satisfy regular expression pattern: ${CONSUMER_ARN_PATTERN_TEXT}`);
  const [, streamArn = "", consumerName = "", seconds = ""] = match;
  const creationEpochSeconds = Number(seconds);
  if (!Number.isSafeInteger(creationEpochSeconds)) {
    throw constraintViolation(field, `satisfy regular expression pattern: ${CONSUMER_ARN_PATTERN_TEXT}`);
  }
  return {
    streamArn,
    streamName: streamNameOfArn(streamArn, field),
    consumerName: validateConsumerName(consumerName, field),
    creationEpochSeconds,
  };
}

export function consumerArnOf(streamArn: string, consumerName: string, creationMs: number): string {
  return `${streamArn}/consumer/${consumerName}:${Math.floor(creationMs / 1000)}`;
}

// ---- changes, as the controller applies them ----

/**
 * The stream's tags with `added` put in (a key already there gets the new value). More than 50 tags on
 * the stream is refused as Kinesis refuses it, with InvalidArgumentException.
 */
export function tagsAdded(
  current: readonly StreamTag[] | undefined,
  added: readonly StreamTag[],
  streamArn: string,
): StreamTag[] {
  const byKey = new Map((current ?? []).map((t) => [t.key, t.value] as const));
  for (const tag of added) byKey.set(tag.key, tag.value);
  if (byKey.size > L.tagsPerStreamMax) {
    const { name, account } = describeArn(streamArn);
    throw invalidArgument(
      `Failed to add tags to stream ${name} under account ${account} because a given stream cannot have more ` +
        `than ${L.tagsPerStreamMax} tags associated with it (it has ${current?.length ?? 0}; ` +
        `this request would make it ${byKey.size}).`,
    );
  }
  return sortedTags(byKey);
}

/** The stream's tags without `keys`; a key the stream does not have is ignored, as Kinesis ignores it. */
export function tagsRemoved(current: readonly StreamTag[] | undefined, keys: readonly string[]): StreamTag[] {
  const gone = new Set(keys);
  return (current ?? []).filter((t) => !gone.has(t.key));
}

/** A new ACTIVE consumer; a name already registered is ResourceInUse, the 21st is LimitExceeded. */
export function consumerRegistered(
  current: readonly StreamConsumer[] | undefined,
  streamArn: string,
  consumerName: string,
  nowMs: number,
): { consumers: StreamConsumer[]; consumer: StreamConsumer } {
  const consumers = current ?? [];
  const existing = consumers.find((c) => c.consumerName === consumerName);
  if (existing) throw resourceInUse(`Consumer ${existing.consumerArn} already exists.`);
  if (consumers.length >= L.consumersPerStreamMax) {
    throw limitExceeded(
      `Stream ${streamArn} already has ${consumers.length} registered consumers, the most a stream may have ` +
        `(${L.consumersPerStreamMax}); deregister one first.`,
    );
  }
  const consumer: StreamConsumer = {
    consumerName,
    consumerArn: consumerArnOf(streamArn, consumerName, nowMs),
    consumerStatus: "ACTIVE",
    consumerCreationTimestampMs: nowMs,
  };
  const next = [...consumers, consumer].sort((a, b) => compareCodeUnits(a.consumerName, b.consumerName));
  return { consumers: next, consumer };
}

/**
 * The consumers without `consumerName`. With `consumerArn`, only that registration is removed: an ARN of
 * an earlier registration under the same name is not found.
 */
export function consumerDeregistered(
  current: readonly StreamConsumer[] | undefined,
  streamArn: string,
  consumerName: string,
  consumerArn?: string,
): { consumers: StreamConsumer[]; consumer: StreamConsumer } {
  const consumers = current ?? [];
  const consumer = consumers.find((c) => c.consumerName === consumerName);
  if (!consumer || (consumerArn !== undefined && consumer.consumerArn !== consumerArn)) {
    throw resourceNotFound(`Consumer ${consumerArn ?? consumerName} of stream ${streamArn} not found.`);
  }
  return { consumers: consumers.filter((c) => c !== consumer), consumer };
}

// ---- reading ----

/** One page of ListTagsForStream: the tags after `exclusiveStartTagKey`, in key order. */
export function pageOfTags(
  tags: readonly StreamTag[] | undefined,
  exclusiveStartTagKey: string | undefined,
  limit: number,
): { tags: StreamTag[]; hasMoreTags: boolean } {
  const after = (tags ?? []).filter((t) => exclusiveStartTagKey === undefined || t.key > exclusiveStartTagKey);
  return { tags: after.slice(0, limit), hasMoreTags: after.length > limit };
}

/** One page of consumers after `afterName` in name order, and whether more follow. */
export function pageOfConsumers(
  consumers: readonly StreamConsumer[] | undefined,
  afterName: string | undefined,
  limit: number,
): { consumers: StreamConsumer[]; hasMore: boolean } {
  const after = (consumers ?? []).filter((c) => afterName === undefined || c.consumerName > afterName);
  return { consumers: after.slice(0, limit), hasMore: after.length > limit };
}

// ---- helpers ----

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedTags(byKey: ReadonlyMap<string, string>): StreamTag[] {
  return [...byKey].sort(([a], [b]) => compareCodeUnits(a, b)).map(([key, value]) => ({ key, value }));
}

/** The stream name and account of a (trusted) stream ARN, for messages. */
function describeArn(streamArn: string): { name: string; account: string } {
  const parts = streamArn.split(":");
  return { name: streamArn.slice(streamArn.indexOf(":stream/") + ":stream/".length), account: parts[4] ?? "" };
}

/** A key quoted in a field path stays short, however long the key. */
function shortened(key: string): string {
  return key.length > 32 ? `${key.slice(0, 32)}...` : key;
}

/**
 * Input validation at the edge. Each function throws an InvalidArgumentException whose message names the
 * Kinesis field and the limit it broke, in Kinesis's own wording, and changes nothing.
 */
import { Buffer } from "node:buffer";
import { LIMITS } from "./limits.js";
import { parseShardId } from "./shards.js";
import { constraintViolation } from "./violations.js";

const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
const KiB = 1024;

export function validateStreamName(name: string, field = "StreamName"): void {
  validateLength(name.length, 1, LIMITS.streamNameLengthMax, field, name);
  if (!STREAM_NAME_PATTERN.test(name)) {
    throw constraintViolation(field, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name);
  }
}

/** Kinesis counts a partition key's length in Unicode characters (code points), not UTF-16 units. */
export function validatePartitionKey(key: string, field = "PartitionKey"): void {
  const length = codePointCountCapped(key, LIMITS.partitionKeyLengthMax + 1);
  validateLength(length, 1, LIMITS.partitionKeyLengthMax, field, key);
}

/** A record's size is its data plus its partition key's UTF-8 bytes, as Kinesis counts it. */
export function validateRecordData(
  data: Uint8Array,
  partitionKey: string,
  maxRecordSizeBytes: number,
  field = "Data",
): void {
  const keyBytes = Buffer.byteLength(partitionKey, "utf8");
  if (data.length + keyBytes > maxRecordSizeBytes) {
    throw constraintViolation(
      field,
      `have length less than or equal to ${maxRecordSizeBytes} bytes, counting the data (${data.length} bytes) ` +
        `and the partition key (${keyBytes} bytes)`,
    );
  }
}

export function validateShardCount(count: number, max: number = LIMITS.shardCountMax, field = "ShardCount"): void {
  validateIntegerInRange(count, 1, max, field);
}

export function validateRetentionHours(hours: number, field = "RetentionPeriodHours"): void {
  validateIntegerInRange(hours, LIMITS.retentionHoursMin, LIMITS.retentionHoursMax, field);
}

/** Takes bytes, but states the limits in KiB too, since the Kinesis field is MaxRecordSizeInKiB. */
export function validateMaxRecordSize(bytes: number, field = "MaxRecordSizeInKiB"): void {
  const inKiB = (n: number) => `${n / KiB} KiB (${n} bytes)`;
  validateIntegerInRange(bytes, LIMITS.recordSizeBytesMin, LIMITS.recordSizeBytesMax, field, inKiB);
}

export function validateGetRecordsLimit(limit: number, field = "Limit"): void {
  validateIntegerInRange(limit, 1, LIMITS.getRecordsLimitMax, field);
}

export function validateListLimit(limit: number, max: number, field: string): void {
  validateIntegerInRange(limit, 1, max, field);
}

/** Accepts exactly Eddy's shard id form, "shardId-" and 12 digits, and returns the shard number. */
export function validateShardIdFormat(shardId: string, field = "ShardId"): number {
  const shardNumber = parseShardId(shardId);
  if (shardNumber === undefined) {
    throw constraintViolation(field, "satisfy regular expression pattern: shardId-[0-9]{12}");
  }
  return shardNumber;
}

/** `totalBytes` is the request's data plus partition keys, as Kinesis counts the 10 MiB limit. */
export function validatePutRecordsRequest(count: number, totalBytes: number): void {
  validateLength(count, 1, LIMITS.putRecordsCountMax, "Records");
  if (totalBytes > LIMITS.putRecordsBytesMax) {
    throw constraintViolation(
      "Records",
      `have a total size less than or equal to ${LIMITS.putRecordsBytesMax} bytes (10 MiB), ` +
        `counting data and partition keys (got ${totalBytes} bytes)`,
    );
  }
}

/** Length limits, worded as Kinesis words them for strings and lists. */
/** `value`, when given, is quoted in the message as Kinesis does. */
export function validateLength(length: number, min: number, max: number, field: string, value?: string): void {
  if (length < min) throw constraintViolation(field, `have length greater than or equal to ${min}`, value);
  if (length > max) throw constraintViolation(field, `have length less than or equal to ${max}`, value);
}

/** Integer limits; `format` renders a bound with its unit when the plain number would mislead. */
export function validateIntegerInRange(
  value: number,
  min: number,
  max: number,
  field: string,
  format: (bound: number) => string = String,
): void {
  if (!Number.isInteger(value)) {
    throw constraintViolation(field, `be an integer between ${format(min)} and ${format(max)}`, value);
  }
  if (value < min) throw constraintViolation(field, `have value greater than or equal to ${format(min)}`, value);
  if (value > max) throw constraintViolation(field, `have value less than or equal to ${format(max)}`, value);
}

/**
 * Counts code points, but stops counting at `cap`, so that a huge key costs no more than a legal one.
 * A surrogate pair is one character; a lone surrogate counts as one too.
 */
export function codePointCountCapped(text: string, cap: number): number {
  let count = 0;
  for (let i = 0; i < text.length && count < cap; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    count++;
  }
  return count;
}

/**
 * Sequence numbers. A sequence number is the record's address, so no counter needs to be stored or
 * agreed on: it is derived from the shard number and the record's position in the shard's Raft log.
 *
 *   seq = shardNumber << 96 | index << 24 | offset
 *
 * `index` is the log entry index (72 bits reserved; below 2^53 in practice) and `offset` the record's
 * place inside that entry's batch (24 bits). Log indexes only grow, across leader changes and restarts,
 * so sequence numbers strictly increase within a shard; the shard number in the high bits makes them
 * unique within the stream.
 */
import { assert } from "./errors.js";
import { constraintViolation } from "./violations.js";

export const SEQUENCE_OFFSET_BITS = 24;
export const SEQUENCE_INDEX_BITS = 72;
/** A batch may hold at most this many records, or offsets would spill into the index bits. */
export const SEQUENCE_OFFSET_MAX = 2 ** SEQUENCE_OFFSET_BITS - 1;

const OFFSET_SHIFT = 0n;
const INDEX_SHIFT = BigInt(SEQUENCE_OFFSET_BITS);
const SHARD_SHIFT = BigInt(SEQUENCE_OFFSET_BITS + SEQUENCE_INDEX_BITS);
const OFFSET_MASK = (1n << INDEX_SHIFT) - 1n;
const INDEX_MASK = (1n << BigInt(SEQUENCE_INDEX_BITS)) - 1n;
/** Kinesis accepts sequence numbers of up to 129 digits, without leading zeros. */
const SEQUENCE_NUMBER_PATTERN = /^(0|[1-9][0-9]{0,128})$/;

/** Where a record sits in a shard's log: the entry's index and the record's place in the entry's batch. */
export interface LogPosition {
  readonly index: number;
  readonly offset: number;
}

export function sequenceNumberOf(shardNumber: number, position: LogPosition): bigint {
  assert(Number.isSafeInteger(shardNumber) && shardNumber >= 0, `bad shard number ${shardNumber}`);
  assert(Number.isSafeInteger(position.index) && position.index >= 0, `bad log index ${position.index}`);
  assert(
    Number.isInteger(position.offset) && position.offset >= 0 && position.offset <= SEQUENCE_OFFSET_MAX,
    `bad batch offset ${position.offset}`,
  );
  return (
    (BigInt(shardNumber) << SHARD_SHIFT) |
    (BigInt(position.index) << INDEX_SHIFT) |
    (BigInt(position.offset) << OFFSET_SHIFT)
  );
}

/**
 * The inverse of sequenceNumberOf. Sequence numbers come from clients too (AT_SEQUENCE_NUMBER), so one
 * that cannot have been issued (negative, or a shard number or index beyond 2^53) is an
 * InvalidArgumentException naming `field` rather than a broken invariant.
 */
export function decodeSequenceNumber(
  seq: bigint,
  field = "SequenceNumber",
): { shardNumber: number; position: LogPosition } {
  const shardBits = seq >> SHARD_SHIFT;
  const indexBits = (seq >> INDEX_SHIFT) & INDEX_MASK;
  if (seq < 0n || shardBits > BigInt(Number.MAX_SAFE_INTEGER) || indexBits > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw constraintViolation(field, `be a sequence number issued by this stream (got ${seq})`);
  }
  const position = { index: Number(indexBits), offset: Number(seq & OFFSET_MASK) };
  return { shardNumber: Number(shardBits), position };
}

/** Parses a sequence number given as text, with Kinesis's pattern 0|([1-9]\d{0,128}). */
export function parseSequenceNumber(text: string, field: string): bigint {
  if (!SEQUENCE_NUMBER_PATTERN.test(text)) {
    throw constraintViolation(field, "satisfy regular expression pattern: 0|([1-9]\\d{0,128})");
  }
  return BigInt(text);
}

/** Orders positions as the log does: by entry index, then by place in the batch. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.index !== b.index) return a.index < b.index ? -1 : 1;
  if (a.offset !== b.offset) return a.offset < b.offset ? -1 : 1;
  return 0;
}

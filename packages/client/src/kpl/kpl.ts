/**
 * Records aggregated by the Kinesis Producer Library (KPL), read and written in the KPL's own format.
 *
 * The KPL packs many "user records" into one Kinesis record. Eddy stores that record as it was put;
 * the consumer side expands it again, as the KCL does: every user record comes out with the outer
 * record's sequence number and its own sub-sequence number (its index in `records` below).
 *
 * The aggregated record's data:
 *
 *   aggregate = magic message digest
 *   magic     = F3 89 9A C2                 ; 4 bytes
 *   message   = AggregatedRecord            ; a protobuf (proto2) message, the schema below
 *   digest    = MD5(message)                ; 16 bytes, the digest of `message` only
 *
 * The partition keys and explicit hash keys are kept once each, in the two tables, and each inner
 * record refers to them by index. Tags are part of the schema but carry nothing a consumer is given
 * (the KCL drops them too); `aggregate` writes none.
 */
import { createHash } from "node:crypto";
import protobuf from "protobufjs";
import {
  LIMITS,
  assert,
  constraintViolation,
  parseHashKey,
  validatePartitionKey,
  validateIntegerInRange,
} from "@eddy/core";
import type { PutRecordsEntry, StreamRecord } from "../types.js";

const KPL_PROTO = `
  syntax = "proto2";
  message AggregatedRecord {
    repeated string partition_key_table = 1;
    repeated string explicit_hash_key_table = 2;
    repeated Record records = 3;
  }
  message Tag {
    required string key = 1;
    optional string value = 2;
  }
  message Record {
    required uint64 partition_key_index = 1;
    optional uint64 explicit_hash_key_index = 2;
    required bytes data = 3;
    repeated Tag tags = 4;
  }
`;

/** The first four bytes of every aggregate. */
const MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const MAGIC_BYTES = MAGIC.length;
const DIGEST_BYTES = 16;

/**
 * The smallest inner record on the wire: its tag and length in AggregatedRecord (1 + 1 bytes), then
 * partition_key_index (a tag and a one-byte varint) and an empty `data` (a tag and a zero length).
 * Both fields are required, so no record can be smaller; this is what bounds the records per aggregate.
 */
const USER_RECORD_WIRE_BYTES_MIN = 6;

export const KPL_LIMITS = {
  /** The largest aggregate read or written: the largest record a stream may take (10 MiB). */
  aggregateBytesMax: LIMITS.recordSizeBytesMax,
  /** What fits in the largest aggregate, each record at its smallest. */
  userRecordsMax: Math.floor((LIMITS.recordSizeBytesMax - MAGIC_BYTES - DIGEST_BYTES) / USER_RECORD_WIRE_BYTES_MIN),
} as const;

// How the limits relate, checked once at load: a broken relation is a bug in this file.
assert(KPL_LIMITS.aggregateBytesMax >= LIMITS.recordSizeBytesDefault, "an aggregate may fill a default-size record");
assert(KPL_LIMITS.aggregateBytesMax > MAGIC_BYTES + DIGEST_BYTES, "an aggregate has room for a message");
assert(
  KPL_LIMITS.userRecordsMax * USER_RECORD_WIRE_BYTES_MIN + MAGIC_BYTES + DIGEST_BYTES <= KPL_LIMITS.aggregateBytesMax,
  "userRecordsMax records of the smallest size fit the largest aggregate",
);
assert(Number.isSafeInteger(KPL_LIMITS.userRecordsMax), "userRecordsMax is an exact count");

/** A record as a consumer processes it: a user record of an aggregate, or a record that was not one. */
export type UserRecord = StreamRecord & {
  /** The index in the aggregate; 0 for a record that is not an aggregate. */
  readonly subSequenceNumber: number;
  /** The user record's explicit hash key, when it was put with one. */
  readonly explicitHashKey?: string;
  /** Whether the record came out of an aggregate. */
  readonly aggregated: boolean;
};

/** Why `readAggregate` did not take a record for an aggregate. */
export type NotAggregateReason =
  /** Shorter than the magic, or no room after it for a message and its digest. */
  | "too-short"
  /** It does not start with the magic bytes F3 89 9A C2. */
  | "no-magic"
  /** Bigger than `KPL_LIMITS.aggregateBytesMax`: no stream stores such a record. */
  | "too-large"
  /** The digest is not the MD5 of the message. */
  | "digest-mismatch"
  /** The message is not an AggregatedRecord (truncated, a missing required field, a wrong wire type). */
  | "undecodable"
  /** An inner record names a table entry that does not exist. */
  | "index-out-of-range"
  /** A well-formed AggregatedRecord without records. */
  | "empty";

/** One user record read out of an aggregate. */
export interface AggregatedEntry {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  /** A view of the aggregate's bytes, not a copy. */
  readonly data: Buffer;
}

export type AggregateRead =
  | { readonly kind: "aggregate"; readonly entries: readonly AggregatedEntry[] }
  | { readonly kind: "plain"; readonly reason: NotAggregateReason };

/** The shapes protobufjs reads and writes with the options used here (keepCase, longs as strings). */
interface WireAggregatedRecord {
  partition_key_table: string[];
  explicit_hash_key_table: string[];
  records: WireRecord[];
}

interface WireRecord {
  /** Decimal: uint64 read with `longs: String`; written as a number. */
  partition_key_index: string | number;
  explicit_hash_key_index?: string | number;
  data: Uint8Array;
}

// Resolving the root turns the proto2 `required` rules on; without it protobufjs decodes a record
// that lacks a required field.
const AGGREGATED_RECORD = protobuf
  .parse(KPL_PROTO, { keepCase: true })
  .root.resolveAll()
  .lookupType("AggregatedRecord");

/**
 * Reads `data` as an aggregate: its user records, or why it is not one. Pure, and linear in the size of
 * `data`, which is bounded by `KPL_LIMITS.aggregateBytesMax` before anything is hashed or decoded.
 */
export function readAggregate(data: Buffer): AggregateRead {
  if (data.length < MAGIC_BYTES) return plain("too-short");
  if (!data.subarray(0, MAGIC_BYTES).equals(MAGIC)) return plain("no-magic");
  // The KCL asks for at least one message byte too: an empty message is no aggregate.
  if (data.length <= MAGIC_BYTES + DIGEST_BYTES) return plain("too-short");
  if (data.length > KPL_LIMITS.aggregateBytesMax) return plain("too-large");

  const message = data.subarray(MAGIC_BYTES, data.length - DIGEST_BYTES);
  const digest = data.subarray(data.length - DIGEST_BYTES);
  if (!md5(message).equals(digest)) return plain("digest-mismatch");

  let decoded: WireAggregatedRecord;
  try {
    decoded = AGGREGATED_RECORD.toObject(AGGREGATED_RECORD.decode(message), {
      longs: String,
      arrays: true,
    }) as WireAggregatedRecord;
  } catch {
    // Whatever protobufjs throws on this input (RangeError on truncation, ProtocolError on a missing
    // required field, Error on a bad wire type) means the same thing: the message does not decode.
    return plain("undecodable");
  }
  if (decoded.records.length === 0) return plain("empty");
  assert(
    decoded.records.length <= KPL_LIMITS.userRecordsMax,
    "a decoded aggregate holds at most userRecordsMax records",
  );

  const entries: AggregatedEntry[] = [];
  for (const record of decoded.records) {
    const partitionKey = tableEntry(decoded.partition_key_table, record.partition_key_index);
    if (partitionKey === undefined) return plain("index-out-of-range");
    const bytes = Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
    if (record.explicit_hash_key_index === undefined) {
      entries.push({ partitionKey, data: bytes });
      continue;
    }
    const explicitHashKey = tableEntry(decoded.explicit_hash_key_table, record.explicit_hash_key_index);
    if (explicitHashKey === undefined) return plain("index-out-of-range");
    entries.push({ partitionKey, explicitHashKey, data: bytes });
  }
  return { kind: "aggregate", entries };
}

/**
 * Expands a record into the user records it holds, numbered 0..n-1 by sub-sequence number, each with the
 * outer record's sequence number and arrival time.
 *
 * A record that is not a well-formed aggregate comes back as the one user record it is (sub-sequence
 * number 0, `aggregated: false`), so nothing is ever dropped. That is what the KCL does when the magic,
 * the length, the MD5 digest or the protobuf decoding fails: it hands the record over as a plain one.
 * Two cases differ: the KCL logs an index outside the tables and drops the rest of that aggregate, and
 * yields nothing for an aggregate without records; here both come back whole as a plain record too.
 * `readAggregate` says which of these applied.
 */
export function deaggregate(record: StreamRecord): UserRecord[] {
  const read = readAggregate(record.data);
  if (read.kind === "plain") return [{ ...record, subSequenceNumber: 0, aggregated: false }];
  return read.entries.map((entry, index) => ({
    sequenceNumber: record.sequenceNumber,
    subSequenceNumber: index,
    partitionKey: entry.partitionKey,
    ...(entry.explicitHashKey === undefined ? {} : { explicitHashKey: entry.explicitHashKey }),
    data: entry.data,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp,
    aggregated: true,
  }));
}

/**
 * Packs records into one aggregate, in exactly the KPL's wire format (see the top of this file): each
 * distinct partition key and explicit hash key is written once in its table, the records keep their
 * order, and fields go out in field-number order, as the KPL's protobuf serializer writes them. Put the
 * result as one record; the KPL puts it under the partition key of its first user record.
 *
 * Throws an InvalidArgumentException for no records, a partition key Kinesis would refuse, a malformed
 * explicit hash key, or an aggregate bigger than `KPL_LIMITS.aggregateBytesMax`.
 */
export function aggregate(records: readonly PutRecordsEntry[]): Buffer {
  validateIntegerInRange(records.length, 1, KPL_LIMITS.userRecordsMax, "records.length");
  const partitionKeys = new Table();
  const explicitHashKeys = new Table();
  let dataBytes = 0;
  const wireRecords = records.map((record, i): WireRecord => {
    validatePartitionKey(record.partitionKey, `records[${i}].partitionKey`);
    const data = typeof record.data === "string" ? Buffer.from(record.data, "utf8") : record.data;
    // Checked as the records are gathered, so that an oversized input is refused before it is encoded.
    dataBytes += data.length;
    if (dataBytes > KPL_LIMITS.aggregateBytesMax) throw tooLarge(`data alone exceeds it at records[${i}]`);
    const wire: WireRecord = { partition_key_index: partitionKeys.indexOf(record.partitionKey), data };
    if (record.explicitHashKey !== undefined) {
      parseHashKey(record.explicitHashKey, `records[${i}].explicitHashKey`);
      wire.explicit_hash_key_index = explicitHashKeys.indexOf(record.explicitHashKey);
    }
    return wire;
  });
  const message: WireAggregatedRecord = {
    partition_key_table: partitionKeys.entries,
    explicit_hash_key_table: explicitHashKeys.entries,
    records: wireRecords,
  };
  const encoded = AGGREGATED_RECORD.encode(AGGREGATED_RECORD.fromObject(message)).finish();
  const size = MAGIC_BYTES + encoded.length + DIGEST_BYTES;
  if (size > KPL_LIMITS.aggregateBytesMax) throw tooLarge(`it would be ${size} bytes`);
  return Buffer.concat([MAGIC, encoded, md5(encoded)]);
}

/**
 * Splits a subscription event's records into the batches a consumer hands to its processor, at most
 * `batchRecordsMax` records each. With `expand`, each record is first expanded into its user records,
 * and a batch ends where an aggregate ends unless one aggregate alone holds more than `batchRecordsMax`
 * user records: checkpoints are kept at the outer record (see shard-consumer.ts), so a batch that ended
 * inside an aggregate would checkpoint past the user records still to come. Without `expand` the batches
 * are plain slices of `records`. Lazy: an aggregate is expanded only when its batch is reached.
 */
export function* recordBatches(
  records: readonly StreamRecord[],
  batchRecordsMax: number,
  expand: boolean,
): Generator<readonly StreamRecord[]> {
  assert(Number.isSafeInteger(batchRecordsMax) && batchRecordsMax >= 1, `batchRecordsMax ${batchRecordsMax} is >= 1`);
  let batch: StreamRecord[] = [];
  for (const record of records) {
    const group: readonly StreamRecord[] = expand ? deaggregate(record) : [record];
    if (batch.length + group.length > batchRecordsMax && batch.length > 0) {
      yield batch;
      batch = [];
    }
    // Only an aggregate bigger than a whole batch is split; its last part may share a batch with what follows.
    let start = 0;
    for (; group.length - start > batchRecordsMax; start += batchRecordsMax) {
      yield group.slice(start, start + batchRecordsMax);
    }
    for (let i = start; i < group.length; i++) batch.push(group[i]!);
  }
  if (batch.length > 0) yield batch;
}

/** A string table: the index of each distinct string, in order of first use. */
class Table {
  readonly entries: string[] = [];
  private readonly indexes = new Map<string, number>();

  indexOf(value: string): number {
    let index = this.indexes.get(value);
    if (index === undefined) {
      index = this.entries.push(value) - 1;
      this.indexes.set(value, index);
    }
    return index;
  }
}

/**
 * The table entry at a uint64 index (a decimal string). An index of 2^53 or more is no safe integer, and
 * no table can be that long, so it is out of range without being read exactly.
 */
function tableEntry(table: readonly string[], index: string | number): string | undefined {
  const position = Number(index);
  return Number.isSafeInteger(position) && position < table.length ? table[position] : undefined;
}

function plain(reason: NotAggregateReason): AggregateRead {
  return { kind: "plain", reason };
}

function md5(bytes: Uint8Array): Buffer {
  return createHash("md5").update(bytes).digest();
}

function tooLarge(detail: string) {
  return constraintViolation(
    "records",
    `fit an aggregate of at most ${KPL_LIMITS.aggregateBytesMax} bytes (the largest record), but ${detail}`,
  );
}

/**
 * The record-batch wire format: one Raft log entry holds one batch, stored and replicated as these bytes.
 *
 *   offset  size  field
 *   0       1     magic        0xED
 *   1       1     version      1
 *   2       1     flags        0; FLAG_PRODUCERS (0x01): a producer section follows the header; or FLAG_SEAL
 *                                (0x02): the shard is closed here (a reshard's parent), and no later entry
 *                                of its log is ever read; a seal has no records and its body is the 4
 *                                bytes "SEAL", inside the checksum, so that no single changed flag byte
 *                                turns an empty batch into a seal or back. Others are rejected
 *   3       4     checksum     CRC-32 (zlib polynomial), u32 big-endian, of every byte from offset 7 to the end
 *   7       4     recordCount  u32 big-endian
 *   11      ...   with FLAG_PRODUCERS, the producer section: which records came from which exactly-once
 *                   producer batch (group commit puts several puts in one entry):
 *                   producerCount  varint
 *                   producerCount times: idLength varint, id (UTF-8), epoch u32, sequence u48,
 *                                        firstRecord u32, recordCount u32 (all big-endian)
 *   ...     ...   recordCount records, back to back, each:
 *                   keyLength   unsigned LEB128 varint (1..5 bytes, minimal encoding, value < 2^32)
 *                   key         keyLength bytes: the partition key in UTF-8
 *                   dataLength  unsigned LEB128 varint (same rules)
 *                   data        dataLength bytes
 *   The last record ends exactly at the end of the buffer; trailing bytes are corruption.
 *
 * The checksum is computed where the batch is written and verified wherever it is read, so a torn or
 * bit-flipped entry is reported as CorruptDataException and never returned as data. CRC-32 detects every
 * error burst of up to 32 bits, hence every single-byte change; the header bytes before the checksum are
 * each checked against their one legal value.
 */
import { Buffer } from "node:buffer";
import { crc32 } from "node:zlib";
import { assert, corruptData, type KinesisError } from "./errors.js";

export interface BatchRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** One exactly-once producer's batch within an entry: records [firstRecord, firstRecord + recordCount). */
export interface ProducerBatch {
  readonly producerId: string;
  readonly epoch: number;
  readonly sequence: number;
  readonly firstRecord: number;
  readonly recordCount: number;
}

/** Largest epoch and sequence the section holds (u32, u48). */
export const PRODUCER_EPOCH_MAX = 0xffff_ffff;
export const PRODUCER_SEQUENCE_MAX = 2 ** 48 - 1;

export const RECORD_BATCH_MAGIC = 0xed;
export const RECORD_BATCH_VERSION = 1;
export const RECORD_BATCH_HEADER_BYTES = 11;
const FLAGS_NONE = 0;
const FLAG_PRODUCERS = 0x01;
const FLAG_SEAL = 0x02;
const SEAL_MARK = Buffer.from("SEAL", "ascii");
const SEAL_BYTES = 11 + SEAL_MARK.length;
const PRODUCER_FIXED_BYTES = 4 + 6 + 4 + 4;
const CHECKSUM_AT = 3;
const COUNT_AT = 7;
/** The checksum covers the record count and the records. */
const CHECKSUMMED_FROM = COUNT_AT;
const U32_MAX = 0xffff_ffff;
const VARINT_BYTES_MAX = 5;

/**
 * Encodes a batch into one buffer, sized up front. This is the write hot path: the only per-record work
 * beyond copying is measuring the key's UTF-8 length. The result may be a view into Node's shared
 * Buffer pool (small batches), so callers must use it through its own offset and length, never `.buffer`.
 */
export function encodeRecordBatch(
  records: readonly BatchRecord[],
  producers: readonly ProducerBatch[] = [],
): Uint8Array {
  assert(records.length <= U32_MAX, `record batch of ${records.length} records is too large`);
  const keyBytes = new Uint32Array(records.length);
  let size = RECORD_BATCH_HEADER_BYTES;
  const idBytes = producers.map((p) => Buffer.byteLength(p.producerId, "utf8"));
  if (producers.length > 0) {
    size += varintBytes(producers.length);
    producers.forEach((p, i) => {
      assert(
        Number.isSafeInteger(p.epoch) && p.epoch >= 0 && p.epoch <= PRODUCER_EPOCH_MAX,
        `producer epoch ${p.epoch} out of range`,
      );
      assert(
        Number.isSafeInteger(p.sequence) && p.sequence >= 0 && p.sequence <= PRODUCER_SEQUENCE_MAX,
        `producer sequence ${p.sequence} out of range`,
      );
      assert(p.firstRecord + p.recordCount <= records.length, "producer batch outside the records");
      size += varintBytes(idBytes[i]!) + idBytes[i]! + PRODUCER_FIXED_BYTES;
    });
  }
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as BatchRecord;
    const keyLength = Buffer.byteLength(record.partitionKey, "utf8");
    keyBytes[i] = keyLength;
    size += varintBytes(keyLength) + keyLength + varintBytes(record.data.length) + record.data.length;
  }
  // Every byte is written below, so the unzeroed allocation leaks nothing.
  const out = Buffer.allocUnsafe(size);
  out[0] = RECORD_BATCH_MAGIC;
  out[1] = RECORD_BATCH_VERSION;
  out[2] = producers.length > 0 ? FLAG_PRODUCERS : FLAGS_NONE;
  out.writeUInt32BE(records.length, COUNT_AT);
  let pos = RECORD_BATCH_HEADER_BYTES;
  if (producers.length > 0) {
    pos = writeVarint(out, pos, producers.length);
    producers.forEach((p, i) => {
      pos = writeVarint(out, pos, idBytes[i]!);
      pos += out.write(p.producerId, pos, idBytes[i]!, "utf8");
      pos = out.writeUInt32BE(p.epoch, pos);
      pos = out.writeUIntBE(p.sequence, pos, 6);
      pos = out.writeUInt32BE(p.firstRecord, pos);
      pos = out.writeUInt32BE(p.recordCount, pos);
    });
  }
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as BatchRecord;
    const keyLength = keyBytes[i] as number;
    pos = writeVarint(out, pos, keyLength);
    pos += out.write(record.partitionKey, pos, keyLength, "utf8");
    pos = writeVarint(out, pos, record.data.length);
    out.set(record.data, pos);
    pos += record.data.length;
  }
  assert(pos === size, `record batch size mismatch: wrote ${pos} of ${size} bytes`);
  out.writeUInt32BE(crc32(out.subarray(CHECKSUMMED_FROM)), CHECKSUM_AT);
  return out;
}

/** The entry that closes a shard: no records, FLAG_SEAL. */
export function encodeSealBatch(): Uint8Array {
  const out = Buffer.alloc(SEAL_BYTES);
  SEAL_MARK.copy(out, RECORD_BATCH_HEADER_BYTES);
  out[0] = RECORD_BATCH_MAGIC;
  out[1] = RECORD_BATCH_VERSION;
  out[2] = FLAG_SEAL;
  out.writeUInt32BE(0, COUNT_AT);
  out.writeUInt32BE(crc32(out.subarray(CHECKSUMMED_FROM)), CHECKSUM_AT);
  return out;
}

/** Whether a batch is a seal (verified: a damaged entry is CorruptDataException, not "no"). */
export function isSealBatch(bytes: Uint8Array): boolean {
  const buf = asBuffer(bytes);
  readHeader(buf);
  if (buf[2] !== FLAG_SEAL) return false;
  verifyChecksum(buf);
  return true;
}

/**
 * Decodes and verifies a batch. Record data are views into `bytes` (no copy), so they stay valid only as
 * long as the caller does not reuse `bytes`.
 */
export function decodeRecordBatch(bytes: Uint8Array): BatchRecord[] {
  const buf = asBuffer(bytes);
  const count = readHeader(buf);
  verifyChecksum(buf);
  if (buf[2] === FLAG_SEAL) return []; // readHeader checked its mark
  const cursor = { pos: RECORD_BATCH_HEADER_BYTES };
  if (buf[2] === FLAG_PRODUCERS) readProducers(buf, cursor, count);
  const records: BatchRecord[] = [];
  for (let i = 0; i < count; i++) {
    const keyLength = readVarint(buf, cursor, i);
    const keyStart = takeBytes(buf, cursor, keyLength, i);
    const partitionKey = buf.toString("utf8", keyStart, keyStart + keyLength);
    const dataLength = readVarint(buf, cursor, i);
    const dataStart = takeBytes(buf, cursor, dataLength, i);
    // A plain Uint8Array view whatever `bytes` is (Buffer or not), so callers see one type.
    const data = new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, dataLength);
    records.push({ partitionKey, data });
  }
  if (cursor.pos !== buf.length) {
    throw corrupt(`${buf.length - cursor.pos} trailing bytes after ${count} records`);
  }
  return records;
}

/**
 * The producer section alone (empty when the batch has none), without reading the records: what a
 * replica needs to rebuild its producers' state at start. The entry's own checksum in storage covers it.
 */
export function decodeBatchProducers(bytes: Uint8Array): ProducerBatch[] {
  const buf = asBuffer(bytes);
  const count = readHeader(buf);
  if (buf[2] !== FLAG_PRODUCERS) return [];
  return readProducers(buf, { pos: RECORD_BATCH_HEADER_BYTES }, count);
}

function readProducers(buf: Buffer, cursor: { pos: number }, recordCount: number): ProducerBatch[] {
  const producerCount = readVarint(buf, cursor, -1);
  const producers: ProducerBatch[] = [];
  for (let i = 0; i < producerCount; i++) {
    const idLength = readVarint(buf, cursor, -1);
    const idStart = takeBytes(buf, cursor, idLength, -1);
    const fixed = takeBytes(buf, cursor, PRODUCER_FIXED_BYTES, -1);
    const producer: ProducerBatch = {
      producerId: buf.toString("utf8", idStart, idStart + idLength),
      epoch: buf.readUInt32BE(fixed),
      sequence: buf.readUIntBE(fixed + 4, 6),
      firstRecord: buf.readUInt32BE(fixed + 10),
      recordCount: buf.readUInt32BE(fixed + 14),
    };
    if (producer.firstRecord + producer.recordCount > recordCount) {
      throw corrupt(`producer batch ${i} covers records past the ${recordCount} of the batch`);
    }
    producers.push(producer);
  }
  return producers;
}

/** The record count from the header alone, without verifying the checksum or reading the records. */
export function recordBatchCount(bytes: Uint8Array): number {
  return readHeader(asBuffer(bytes));
}

function corrupt(detail: string): KinesisError {
  return corruptData(`record batch: ${detail}`);
}

/** A Buffer over the same memory, for its fast readers; no copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Checks the fixed header fields and returns the record count. */
function readHeader(buf: Buffer): number {
  if (buf.length < RECORD_BATCH_HEADER_BYTES) {
    throw corrupt(`truncated: ${buf.length} bytes, the header alone needs ${RECORD_BATCH_HEADER_BYTES}`);
  }
  if (buf[0] !== RECORD_BATCH_MAGIC) throw corrupt(`bad magic byte 0x${hex(buf[0])} (expected 0xed)`);
  if (buf[1] !== RECORD_BATCH_VERSION) throw corrupt(`unsupported version ${buf[1]}`);
  if (buf[2] !== FLAGS_NONE && buf[2] !== FLAG_PRODUCERS && buf[2] !== FLAG_SEAL) {
    throw corrupt(`unknown flags 0x${hex(buf[2])}`);
  }
  const count = buf.readUInt32BE(COUNT_AT);
  if (
    buf[2] === FLAG_SEAL &&
    (count !== 0 || buf.length !== SEAL_BYTES || !buf.subarray(RECORD_BATCH_HEADER_BYTES).equals(SEAL_MARK))
  ) {
    throw corrupt(`a seal holds no records, only its mark (it says ${count} records, in ${buf.length} bytes)`);
  }
  return count;
}

function verifyChecksum(buf: Buffer): void {
  const stored = buf.readUInt32BE(CHECKSUM_AT);
  const computed = crc32(buf.subarray(CHECKSUMMED_FROM));
  if (stored !== computed) {
    throw corrupt(`checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`);
  }
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, "0");
}

/** Advances the cursor past `length` bytes and returns where they start; never reads past the end. */
function takeBytes(buf: Buffer, cursor: { pos: number }, length: number, record: number): number {
  if (length > buf.length - cursor.pos) {
    throw corrupt(`truncated in record ${record}: needs ${length} bytes, ${buf.length - cursor.pos} left`);
  }
  const start = cursor.pos;
  cursor.pos += length;
  return start;
}

function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++;
  return bytes;
}

/** Unsigned LEB128: seven bits a byte, least significant first, the high bit set on all but the last. */
function writeVarint(out: Buffer, pos: number, value: number): number {
  let rest = value;
  let at = pos;
  while (rest >= 0x80) {
    out[at++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[at++] = rest;
  return at;
}

/** Reads a varint, rejecting truncation, more than 5 bytes, values of 2^32 or more and non-minimal forms. */
function readVarint(buf: Buffer, cursor: { pos: number }, record: number): number {
  let value = 0;
  for (let i = 0; i < VARINT_BYTES_MAX; i++) {
    const byte = buf[cursor.pos];
    if (byte === undefined) throw corrupt(`truncated in record ${record}: length field runs past the end`);
    cursor.pos++;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) {
      if (byte === 0 && i > 0) throw corrupt(`non-minimal length field in record ${record}`);
      if (value > U32_MAX) throw corrupt(`length field out of range in record ${record}`);
      return value;
    }
  }
  throw corrupt(`length field longer than ${VARINT_BYTES_MAX} bytes in record ${record}`);
}

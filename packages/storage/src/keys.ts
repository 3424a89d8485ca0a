/**
 * The key layout of a broker's one LevelDB database. Keys are binary and big-endian so that LevelDB's
 * byte order is the log's order: the entries of a group sit next to each other, sorted by index, and
 * the time index of a group is sorted by timestamp.
 *
 *   namespace  key                                                   value
 *   0x01       [0x01][groupId u32][index u64]                        entry value (see codec.ts)
 *   0x02       [0x02][groupId u32]                                   hard state (see codec.ts)
 *   0x03       [0x03][groupId u32][timestampMs u64][index u64]       empty
 *   0x04       [0x04][groupId u32]                                   group meta (see codec.ts)
 *   0x05       [0x05][groupId u32][index u64]                        empty: entry `index` is a Config entry
 *   0x06       [0x06][groupId u32]                                   snapshot data (see codec.ts)
 *   0x10       [0x10][utf8 key]                                      metadata value bytes
 *
 * All integers are unsigned big-endian. Indexes, terms and timestamps are JavaScript numbers, so a
 * u64 field holds at most Number.MAX_SAFE_INTEGER.
 *
 * The time index (0x03) holds one key per rise of the log's running-maximum timestamp: an entry gets
 * a key when its timestamp is greater than every earlier retained entry's, or when it is the first
 * retained entry. Timestamps never decrease along a log, so in practice that is one key for the first
 * entry of each new millisecond. Because the running maximum only grows, the keys are sorted both by
 * timestamp and by index, which is what lets `indexAtTime` answer with one `gte` seek.
 *
 * The config index (0x05) holds one key per retained entry of type Config, written and deleted in the
 * same batches as the entries themselves, so that the few Config entries of a long log are found with
 * one range read.
 *
 * The snapshot data (0x06) is the state machine's state at the group's snapshot index, for the groups
 * whose snapshots carry one (the controller); shard groups never write it. It is written in the same
 * batch as the group meta that moves the snapshot index, so the two always agree.
 */

import { assert } from "@eddy/core";

export const NS_ENTRY = 0x01;
export const NS_HARD_STATE = 0x02;
export const NS_TIME = 0x03;
export const NS_GROUP_META = 0x04;
export const NS_CONFIG = 0x05;
export const NS_SNAPSHOT = 0x06;
export const NS_META_KV = 0x10;

/** The namespaces that hold per-group keys, in key order. */
export const GROUP_NAMESPACES = [NS_ENTRY, NS_HARD_STATE, NS_TIME, NS_GROUP_META, NS_CONFIG, NS_SNAPSHOT] as const;

export const GROUP_PREFIX_BYTES = 5;
export const ENTRY_KEY_BYTES = GROUP_PREFIX_BYTES + 8;
export const TIME_KEY_BYTES = GROUP_PREFIX_BYTES + 8 + 8;
export const CONFIG_KEY_BYTES = GROUP_PREFIX_BYTES + 8;

export const GROUP_ID_MAX = 0xffff_ffff;
const U32_RANGE = 0x1_0000_0000;
/** The high word of a u64 that still fits a safe integer: 2^53 - 1 = (2^21 - 1) * 2^32 + (2^32 - 1). */
const U64_SAFE_HIGH_MAX = 0x1f_ffff;

export function assertGroupId(groupId: number): void {
  assert(Number.isInteger(groupId) && groupId >= 0 && groupId <= GROUP_ID_MAX, `groupId ${groupId} is not a u32`);
}

/** Writes a non-negative safe integer as u64 big-endian. */
export function writeU64(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32BE(Math.floor(value / U32_RANGE), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

/** Reads a u64 big-endian; returns undefined when it does not fit a safe integer. */
export function readU64(buf: Uint8Array, offset: number): number | undefined {
  const high = readU32(buf, offset);
  if (high > U64_SAFE_HIGH_MAX) return undefined;
  return high * U32_RANGE + readU32(buf, offset + 4);
}

export function readU32(buf: Uint8Array, offset: number): number {
  // Indexing the bytes keeps this usable on plain Uint8Arrays as well as Buffers.
  return (buf[offset]! * 0x100_0000 + ((buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!)) >>> 0;
}

/** [ns][groupId u32], the prefix of every per-group key. */
export function groupKey(ns: number, groupId: number): Buffer {
  const key = Buffer.allocUnsafe(GROUP_PREFIX_BYTES);
  key[0] = ns;
  key.writeUInt32BE(groupId, 1);
  return key;
}

/**
 * The first key past every key of `groupId` in namespace `ns`: [ns][groupId + 1], or [ns + 1] for the
 * last group id. Used as the exclusive upper bound of a group's range.
 */
export function groupKeyEnd(ns: number, groupId: number): Buffer {
  if (groupId === GROUP_ID_MAX) return Buffer.from([ns + 1]);
  return groupKey(ns, groupId + 1);
}

export function writeEntryKey(buf: Buffer, offset: number, groupId: number, index: number): void {
  buf[offset] = NS_ENTRY;
  buf.writeUInt32BE(groupId, offset + 1);
  writeU64(buf, offset + GROUP_PREFIX_BYTES, index);
}

export function entryKey(groupId: number, index: number): Buffer {
  const key = Buffer.allocUnsafe(ENTRY_KEY_BYTES);
  writeEntryKey(key, 0, groupId, index);
  return key;
}

export function timeKey(groupId: number, timestampMs: number, index: number): Buffer {
  const key = Buffer.allocUnsafe(TIME_KEY_BYTES);
  key[0] = NS_TIME;
  key.writeUInt32BE(groupId, 1);
  writeU64(key, GROUP_PREFIX_BYTES, timestampMs);
  writeU64(key, GROUP_PREFIX_BYTES + 8, index);
  return key;
}

/** [0x05][groupId][index]: marks entry `index` as a Config entry. */
export function configKey(groupId: number, index: number): Buffer {
  const key = Buffer.allocUnsafe(CONFIG_KEY_BYTES);
  key[0] = NS_CONFIG;
  key.writeUInt32BE(groupId, 1);
  writeU64(key, GROUP_PREFIX_BYTES, index);
  return key;
}

/** The index in a config-index key, or undefined when the key is malformed. */
export function configKeyIndex(key: Uint8Array): number | undefined {
  if (key.length !== CONFIG_KEY_BYTES) return undefined;
  return readU64(key, GROUP_PREFIX_BYTES);
}

/** The index in an entry key, or undefined when the key is malformed. */
export function entryKeyIndex(key: Uint8Array): number | undefined {
  if (key.length !== ENTRY_KEY_BYTES) return undefined;
  return readU64(key, GROUP_PREFIX_BYTES);
}

export interface TimeKey {
  readonly timestampMs: number;
  readonly index: number;
}

export function decodeTimeKey(key: Uint8Array): TimeKey | undefined {
  if (key.length !== TIME_KEY_BYTES) return undefined;
  const timestampMs = readU64(key, GROUP_PREFIX_BYTES);
  const index = readU64(key, GROUP_PREFIX_BYTES + 8);
  if (timestampMs === undefined || index === undefined) return undefined;
  return { timestampMs, index };
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export function metaKey(key: string): Buffer {
  const bytes = utf8.encode(key);
  const out = Buffer.allocUnsafe(1 + bytes.length);
  out[0] = NS_META_KV;
  out.set(bytes, 1);
  return out;
}

/**
 * The exclusive upper bound of the metadata keys that start with `prefix`: the prefix followed by
 * 0xff, a byte that never occurs in UTF-8, so every longer key with that prefix sorts below it.
 */
export function metaKeyPrefixEnd(prefix: string): Buffer {
  const start = metaKey(prefix);
  const out = Buffer.allocUnsafe(start.length + 1);
  start.copy(out, 0);
  out[start.length] = 0xff;
  return out;
}

export function decodeMetaKey(key: Uint8Array): string {
  return utf8Decoder.decode(key.subarray(1));
}

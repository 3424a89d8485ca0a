/**
 * Value formats. Every value carries a CRC32 (node:zlib) over the bytes after it, checked on every read:
 * corrupt data is reported as CorruptDataException and never returned.
 *
 * Entry value (key 0x01):
 *   [u32 crc32 of the rest][u8 type][u64 term][u64 timestampMs][data bytes ...]
 *
 * Hard state (key 0x02):
 *   [u32 crc32 of the rest][u64 term][u64 commitIndex][vote utf8 ...]
 *
 * Group meta (key 0x04):
 *   [u64 first retained index]
 *
 * All integers unsigned big-endian.
 */

import { crc32 } from "node:zlib";

import { corruptData } from "@eddy/core";
import { EntryType, type Entry, type HardState } from "@eddy/raft";

import { readU32, readU64, writeU64 } from "./keys.js";

export const ENTRY_HEADER_BYTES = 4 + 1 + 8 + 8;
const HARD_STATE_HEADER_BYTES = 4 + 8 + 8;
const GROUP_META_BYTES = 8;

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

function isEntryType(value: number): value is EntryType {
  return value === EntryType.Noop || value === EntryType.Records || value === EntryType.Config;
}

/** Encodes an entry's value (its index lives in the key). One allocation: header and data together. */
export function encodeEntryValue(entry: Entry): Buffer {
  const value = Buffer.allocUnsafe(ENTRY_HEADER_BYTES + entry.data.length);
  value[4] = entry.type;
  writeU64(value, 5, entry.term);
  writeU64(value, 13, entry.timestampMs);
  value.set(entry.data, ENTRY_HEADER_BYTES);
  value.writeUInt32BE(crc32(value.subarray(4)), 0);
  return value;
}

/**
 * Decodes and verifies an entry value. `where` names the entry ("group 7 index 42") in the error.
 * The returned data is a view into `value`, not a copy.
 */
export function decodeEntryValue(index: number, value: Uint8Array, where = `index ${index}`): Entry {
  if (value.length < ENTRY_HEADER_BYTES) {
    throw corruptData(
      `entry at ${where}: value is ${value.length} bytes, shorter than its ${ENTRY_HEADER_BYTES}-byte header`,
    );
  }
  const storedCrc = readU32(value, 0);
  const computedCrc = crc32(value.subarray(4));
  if (storedCrc !== computedCrc) {
    throw corruptData(`entry at ${where}: checksum mismatch (stored ${storedCrc}, computed ${computedCrc})`);
  }
  const type = value[4]!;
  const term = readU64(value, 5);
  const timestampMs = readU64(value, 13);
  if (!isEntryType(type) || term === undefined || timestampMs === undefined) {
    throw corruptData(`entry at ${where}: checksum matches but type ${type} or a u64 field is out of range`);
  }
  return { index, term, type, timestampMs, data: value.subarray(ENTRY_HEADER_BYTES) };
}

export function encodeHardState(hardState: HardState): Buffer {
  const vote = Buffer.from(hardState.vote, "utf8");
  const value = Buffer.allocUnsafe(HARD_STATE_HEADER_BYTES + vote.length);
  writeU64(value, 4, hardState.term);
  writeU64(value, 12, hardState.commitIndex);
  vote.copy(value, HARD_STATE_HEADER_BYTES);
  value.writeUInt32BE(crc32(value.subarray(4)), 0);
  return value;
}

export function decodeHardState(value: Uint8Array, where: string): HardState {
  if (value.length < HARD_STATE_HEADER_BYTES) {
    throw corruptData(
      `hard state of ${where}: value is ${value.length} bytes, shorter than ${HARD_STATE_HEADER_BYTES}`,
    );
  }
  const storedCrc = readU32(value, 0);
  const computedCrc = crc32(value.subarray(4));
  if (storedCrc !== computedCrc) {
    throw corruptData(`hard state of ${where}: checksum mismatch (stored ${storedCrc}, computed ${computedCrc})`);
  }
  const term = readU64(value, 4);
  const commitIndex = readU64(value, 12);
  if (term === undefined || commitIndex === undefined) {
    throw corruptData(`hard state of ${where}: term or commitIndex does not fit a safe integer`);
  }
  let vote: string;
  try {
    vote = utf8Decoder.decode(value.subarray(HARD_STATE_HEADER_BYTES));
  } catch (cause) {
    throw corruptData(`hard state of ${where}: vote is not UTF-8 (${String(cause)})`);
  }
  return { term, vote, commitIndex };
}

export function encodeGroupMeta(firstIndex: number): Buffer {
  const value = Buffer.allocUnsafe(GROUP_META_BYTES);
  writeU64(value, 0, firstIndex);
  return value;
}

export function decodeGroupMeta(value: Uint8Array, where: string): number {
  const firstIndex = value.length === GROUP_META_BYTES ? readU64(value, 0) : undefined;
  if (firstIndex === undefined || firstIndex < 1) {
    throw corruptData(`group meta of ${where}: expected an 8-byte first index >= 1, got ${value.length} bytes`);
  }
  return firstIndex;
}

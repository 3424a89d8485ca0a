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
 * Group meta (key 0x04), version 1:
 *   [u8 version = 1][u32 crc32 of the rest][u8 flags][u64 first retained index]
 *   [u64 snapshot index][u64 snapshot term]
 *   [u16 voter count]([u16 byte length][utf8 id])*  [u16 learner count]([u16 byte length][utf8 id])*
 * flags: bit 0 "replacing" (installSnapshot in progress, see GroupMeta); other bits must be 0.
 * The original format, still read, is the bare [u64 first retained index] (8 bytes, no CRC, no
 * snapshot); a version-1 value is at least 34 bytes, so the length tells them apart.
 *
 * Snapshot data (key 0x06):
 *   [u32 crc32 of the rest][u64 snapshot index][u64 snapshot term][data bytes ...]
 * The index and term repeat the group meta's snapshot, so that data left from another snapshot is
 * recognised rather than handed out; the conf lives in the group meta only.
 *
 * All integers unsigned big-endian.
 */

import { crc32 } from "node:zlib";

import { assert, corruptData } from "@eddy/core";
import { EMPTY_CONF, EntryType, type Entry, type HardState, type SnapshotMeta } from "@eddy/raft";

import { readU32, readU64, writeU64 } from "./keys.js";

export const ENTRY_HEADER_BYTES = 4 + 1 + 8 + 8;
const HARD_STATE_HEADER_BYTES = 4 + 8 + 8;
const SNAPSHOT_DATA_HEADER_BYTES = 4 + 8 + 8;

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

/** What the snapshot-data key (0x06) holds: a state machine's state at a snapshot's index and term. */
export interface SnapshotData {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

/** Encodes snapshot data. One allocation: header and data together. */
export function encodeSnapshotData(snapshot: SnapshotData): Buffer {
  const { index, term, data } = snapshot;
  assert(isSafeU64(index) && isSafeU64(term), `snapshot data: index ${index} and term ${term} must be safe integers`);
  const value = Buffer.allocUnsafe(SNAPSHOT_DATA_HEADER_BYTES + data.length);
  writeU64(value, 4, index);
  writeU64(value, 12, term);
  value.set(data, SNAPSHOT_DATA_HEADER_BYTES);
  value.writeUInt32BE(crc32(value.subarray(4)), 0);
  return value;
}

/** Decodes and verifies snapshot data; the returned data is a view into `value`, not a copy. */
export function decodeSnapshotData(value: Uint8Array, where: string): SnapshotData {
  if (value.length < SNAPSHOT_DATA_HEADER_BYTES) {
    throw corruptData(
      `snapshot data of ${where}: value is ${value.length} bytes, shorter than ${SNAPSHOT_DATA_HEADER_BYTES}`,
    );
  }
  const storedCrc = readU32(value, 0);
  const computedCrc = crc32(value.subarray(4));
  if (storedCrc !== computedCrc) {
    throw corruptData(`snapshot data of ${where}: checksum mismatch (stored ${storedCrc}, computed ${computedCrc})`);
  }
  const index = readU64(value, 4);
  const term = readU64(value, 12);
  if (index === undefined || term === undefined) {
    throw corruptData(`snapshot data of ${where}: index or term does not fit a safe integer`);
  }
  return { index, term, data: value.subarray(SNAPSHOT_DATA_HEADER_BYTES) };
}

/** What the group-meta key (0x04) holds. */
export interface GroupMeta {
  /** The first retained index: entries below it are gone (or, after a crash in a compaction, going). */
  readonly firstIndex: number;
  /** The compaction point of the log: index/term 0 and an empty conf until a compact or installSnapshot. */
  readonly snapshot: SnapshotMeta;
  /**
   * Set by installSnapshot from its first write until its clean-up is done: every entry, time-index and
   * config-index key of the group is stale, and opening the group deletes them first.
   */
  readonly replacing: boolean;
}

export const GROUP_META_VERSION = 1;
/** The flag bit of `replacing`. */
const GROUP_META_REPLACING = 0x01;
const GROUP_META_LEGACY_BYTES = 8;
/** version, crc, flags, first index, snapshot index, snapshot term. */
const GROUP_META_HEADER_BYTES = 1 + 4 + 1 + 8 + 8 + 8;
const GROUP_META_CRC_FROM = 5;
const U16_MAX = 0xffff;

export const EMPTY_SNAPSHOT_META: SnapshotMeta = { index: 0, term: 0, conf: EMPTY_CONF };

function isSafeU64(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Encodes the group meta in the current (version 1) format. Asserts what the format cannot hold: an
 * index or term that is not a safe non-negative integer, more than 65,535 voters or learners, or a
 * member id longer than 65,535 UTF-8 bytes.
 */
export function encodeGroupMeta(meta: GroupMeta): Buffer {
  const { firstIndex, snapshot } = meta;
  assert(
    isSafeU64(firstIndex) && firstIndex >= 1 && isSafeU64(snapshot.index) && isSafeU64(snapshot.term),
    `group meta: first index ${firstIndex}, snapshot index ${snapshot.index} and term ${snapshot.term} must be safe non-negative integers (first index >= 1)`,
  );
  const { voters, learners } = snapshot.conf;
  assert(voters.length <= U16_MAX && learners.length <= U16_MAX, "group meta: more than 65,535 voters or learners");
  const ids = [...voters, ...learners].map((id) => Buffer.from(id, "utf8"));
  let size = GROUP_META_HEADER_BYTES + 2 + 2;
  for (const id of ids) {
    assert(id.length <= U16_MAX, "group meta: a member id is longer than 65,535 bytes");
    size += 2 + id.length;
  }
  const value = Buffer.allocUnsafe(size);
  value[0] = GROUP_META_VERSION;
  value[5] = meta.replacing ? GROUP_META_REPLACING : 0;
  writeU64(value, 6, firstIndex);
  writeU64(value, 14, snapshot.index);
  writeU64(value, 22, snapshot.term);
  let offset = GROUP_META_HEADER_BYTES;
  const putList = (list: readonly Buffer[]): void => {
    value.writeUInt16BE(list.length, offset);
    offset += 2;
    for (const id of list) {
      value.writeUInt16BE(id.length, offset);
      id.copy(value, offset + 2);
      offset += 2 + id.length;
    }
  };
  putList(ids.slice(0, voters.length));
  putList(ids.slice(voters.length));
  value.writeUInt32BE(crc32(value.subarray(GROUP_META_CRC_FROM)), 1);
  return value;
}

/**
 * Decodes the group meta, version 1 or the original format (a bare u64 first index, 8 bytes, which
 * carried no snapshot: it decodes with EMPTY_SNAPSHOT_META).
 */
export function decodeGroupMeta(value: Uint8Array, where: string): GroupMeta {
  const fail = (why: string): never => {
    throw corruptData(`group meta of ${where}: ${why}`);
  };
  if (value.length === GROUP_META_LEGACY_BYTES) {
    const firstIndex = readU64(value, 0);
    if (firstIndex === undefined || firstIndex < 1) fail("the first index (original format) is not >= 1");
    return { firstIndex: firstIndex!, snapshot: EMPTY_SNAPSHOT_META, replacing: false };
  }
  if (value.length < GROUP_META_HEADER_BYTES + 4) {
    fail(`value is ${value.length} bytes, neither the original 8 nor at least ${GROUP_META_HEADER_BYTES + 4}`);
  }
  if (value[0] !== GROUP_META_VERSION) fail(`unknown version ${value[0]}`);
  const storedCrc = readU32(value, 1);
  const computedCrc = crc32(value.subarray(GROUP_META_CRC_FROM));
  if (storedCrc !== computedCrc) fail(`checksum mismatch (stored ${storedCrc}, computed ${computedCrc})`);
  const flags = value[5]!;
  if ((flags & ~GROUP_META_REPLACING) !== 0) fail(`unknown flags ${flags}`);
  const firstIndex = readU64(value, 6);
  const index = readU64(value, 14);
  const term = readU64(value, 22);
  if (firstIndex === undefined || index === undefined || term === undefined || firstIndex < 1) {
    fail("first index, snapshot index or term out of range");
  }
  let offset = GROUP_META_HEADER_BYTES;
  const u16 = (): number => {
    if (offset + 2 > value.length) fail("conf truncated");
    const n = (value[offset]! << 8) | value[offset + 1]!;
    offset += 2;
    return n;
  };
  const list = (): string[] => {
    const out: string[] = [];
    for (let count = u16(); count > 0; count--) {
      const length = u16();
      if (offset + length > value.length) fail("conf truncated");
      try {
        out.push(utf8Decoder.decode(value.subarray(offset, offset + length)));
      } catch (cause) {
        fail(`a member id is not UTF-8 (${String(cause)})`);
      }
      offset += length;
    }
    return out;
  };
  const voters = list();
  const learners = list();
  if (offset !== value.length) fail(`${value.length - offset} trailing bytes`);
  return {
    firstIndex: firstIndex!,
    snapshot: { index: index!, term: term!, conf: { voters, learners } },
    replacing: (flags & GROUP_META_REPLACING) !== 0,
  };
}

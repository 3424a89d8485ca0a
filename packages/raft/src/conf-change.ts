/**
 * Single-server membership changes (Raft dissertation §4.1): one voter or learner added, removed or
 * promoted at a time, so that any majority of the old configuration overlaps any majority of the new.
 *
 * A Config entry carries the change and the whole configuration that results, so that a node can take
 * the configuration from the newest Config entry of its log alone, without replaying older ones.
 *
 * Wire grammar of a Config entry's data (big-endian):
 *   version u8 (=1) | change type u8 | node id (str) | voter count u16 | voter ids (str)... |
 *   learner count u16 | learner ids (str)...
 *   str = byte length u16 | UTF-8 bytes
 */
import { assert } from "@eddy/core";

import type { ConfState } from "./types.js";

export enum ConfChangeType {
  AddVoter = 1,
  RemoveVoter = 2,
  AddLearner = 3,
  PromoteLearner = 4,
  RemoveLearner = 5,
}

export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: string;
}

const CONFIG_ENTRY_VERSION = 1;
const STRING_BYTES_MAX = 0xffff;
const MEMBERS_MAX = 0xffff;

export function isVoter(conf: ConfState, id: string): boolean {
  return conf.voters.includes(id);
}

export function isMember(conf: ConfState, id: string): boolean {
  return conf.voters.includes(id) || conf.learners.includes(id);
}

export function members(conf: ConfState): string[] {
  return [...conf.voters, ...conf.learners];
}

/** The configuration after `change`, or why the change does not apply to `conf`. */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState | string {
  const { nodeId } = change;
  if (nodeId === "") return "node id must not be empty";
  const without = (ids: readonly string[]): string[] => ids.filter((id) => id !== nodeId);
  switch (change.type) {
    case ConfChangeType.AddVoter:
      if (isMember(conf, nodeId)) return `${nodeId} is already a member (promote a learner instead)`;
      return { voters: [...conf.voters, nodeId], learners: conf.learners };
    case ConfChangeType.AddLearner:
      if (isMember(conf, nodeId)) return `${nodeId} is already a member`;
      return { voters: conf.voters, learners: [...conf.learners, nodeId] };
    case ConfChangeType.RemoveVoter:
      if (!isVoter(conf, nodeId)) return `${nodeId} is not a voter`;
      if (conf.voters.length === 1) return `${nodeId} is the last voter`;
      return { voters: without(conf.voters), learners: conf.learners };
    case ConfChangeType.PromoteLearner:
      if (!conf.learners.includes(nodeId)) return `${nodeId} is not a learner`;
      return { voters: [...conf.voters, nodeId], learners: without(conf.learners) };
    case ConfChangeType.RemoveLearner:
      if (!conf.learners.includes(nodeId)) return `${nodeId} is not a learner`;
      return { voters: conf.voters, learners: without(conf.learners) };
  }
}

export function encodeConfigEntry(change: ConfChange, conf: ConfState): Uint8Array {
  const encoder = new TextEncoder();
  const strings = [change.nodeId, ...conf.voters, ...conf.learners].map((s) => encoder.encode(s));
  assert(conf.voters.length <= MEMBERS_MAX && conf.learners.length <= MEMBERS_MAX, "too many members");
  const size = 1 + 1 + 2 + 2 + strings.reduce((sum, bytes) => sum + 2 + bytes.byteLength, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  const putString = (bytes: Uint8Array): void => {
    assert(bytes.byteLength <= STRING_BYTES_MAX, "node id too long");
    view.setUint16(offset, bytes.byteLength);
    out.set(bytes, offset + 2);
    offset += 2 + bytes.byteLength;
  };
  view.setUint8(offset++, CONFIG_ENTRY_VERSION);
  view.setUint8(offset++, change.type);
  putString(strings[0]!);
  view.setUint16(offset, conf.voters.length);
  offset += 2;
  strings.slice(1, 1 + conf.voters.length).forEach(putString);
  view.setUint16(offset, conf.learners.length);
  offset += 2;
  strings.slice(1 + conf.voters.length).forEach(putString);
  return out;
}

/** Decodes a Config entry's data. Entries come from this node's own log, so a malformed one is a bug. */
export function decodeConfigEntry(data: Uint8Array): { change: ConfChange; conf: ConfState } {
  const decoder = new TextDecoder();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  const u16 = (): number => {
    assert(offset + 2 <= data.byteLength, "Config entry truncated");
    const value = view.getUint16(offset);
    offset += 2;
    return value;
  };
  const str = (): string => {
    const length = u16();
    assert(offset + length <= data.byteLength, "Config entry truncated");
    const value = decoder.decode(data.subarray(offset, offset + length));
    offset += length;
    return value;
  };
  const list = (): string[] => Array.from({ length: u16() }, str);
  assert(data.byteLength >= 2 && view.getUint8(0) === CONFIG_ENTRY_VERSION, "unknown Config entry version");
  const type = view.getUint8(1) as ConfChangeType;
  assert(ConfChangeType[type] !== undefined, `unknown conf change type ${type}`);
  offset = 2;
  const nodeId = str();
  const voters = list();
  const learners = list();
  assert(offset === data.byteLength, "Config entry has trailing bytes");
  return { change: { type, nodeId }, conf: { voters, learners } };
}

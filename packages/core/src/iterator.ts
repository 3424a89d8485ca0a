/**
 * Shard iterators: opaque, tamper-proof tokens that carry where a reader is in a shard, so that brokers
 * keep no per-reader state. Any broker holding the cluster's key can verify one.
 *
 * Token bytes (then base64url without padding):
 *   offset  size  field
 *   0       1     version            1
 *   1       1     streamNameBytes    1..128
 *   2       n     streamName         UTF-8
 *   .       1     streamIdBytes      0..128
 *   .       m     streamId           UTF-8
 *   .       6     shardNumber        u48 big-endian (the shard id is rebuilt from it)
 *   .       8     log index          u64 big-endian
 *   .       3     batch offset       u24 big-endian
 *   .       8     issuedAtMs         u64 big-endian
 *   .       16    mac                HMAC-SHA256(key, every byte above), truncated to 16 bytes
 *
 * At most 1 + 129 + 129 + 25 + 16 = 300 bytes, i.e. 400 characters: under Kinesis's 512.
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { assert, expiredIterator, invalidArgument, type KinesisError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { SEQUENCE_OFFSET_MAX, type LogPosition } from "./sequence.js";
import { parseShardId, SHARD_NUMBER_MAX, shardIdOf } from "./shards.js";
import { constraintViolation } from "./violations.js";

export interface IteratorPayload {
  readonly streamName: string;
  readonly streamId: string;
  readonly shardId: string;
  readonly position: LogPosition;
  readonly issuedAtMs: number;
}

const ITERATOR_VERSION = 1;
const MAC_BYTES = 16;
/** A shorter key would make the MAC guessable; the broker generates or configures one of 32 bytes. */
export const ITERATOR_KEY_BYTES_MIN = 16;
const FIXED_BYTES = 1 + 1 + 1 + 6 + 8 + 3 + 8;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

export function encodeShardIterator(payload: IteratorPayload, key: Uint8Array): string {
  assertKey(key);
  const name = Buffer.from(payload.streamName, "utf8");
  const id = Buffer.from(payload.streamId, "utf8");
  const shardNumber = parseShardId(payload.shardId);
  assert(name.length >= 1 && name.length <= LIMITS.streamNameLengthMax, "iterator stream name out of range");
  assert(id.length <= LIMITS.streamIdBytesMax, `stream id longer than ${LIMITS.streamIdBytesMax} bytes`);
  assert(shardNumber !== undefined, `iterator for malformed shard id ${payload.shardId}`);
  assertPayloadNumbers(payload);
  const body = Buffer.alloc(FIXED_BYTES + name.length + id.length);
  let pos = body.writeUInt8(ITERATOR_VERSION, 0);
  pos = writeString(body, pos, name);
  pos = writeString(body, pos, id);
  pos = body.writeUIntBE(shardNumber, pos, 6);
  pos = body.writeBigUInt64BE(BigInt(payload.position.index), pos);
  pos = body.writeUIntBE(payload.position.offset, pos, 3);
  pos = body.writeBigUInt64BE(BigInt(payload.issuedAtMs), pos);
  assert(pos === body.length, "iterator body size mismatch");
  const token = Buffer.concat([body, macOf(body, key)]).toString("base64url");
  assert(token.length <= LIMITS.shardIteratorLengthMax, `shard iterator of ${token.length} characters`);
  return token;
}

/**
 * Verifies and decodes a token. Malformed, tampered or foreign tokens are InvalidArgumentException;
 * a genuine token older than `ttlMs` is ExpiredIteratorException.
 */
export function decodeShardIterator(
  token: string,
  key: Uint8Array,
  nowMs: number,
  ttlMs: number = LIMITS.iteratorTtlMs,
): IteratorPayload {
  assertKey(key);
  const bytes = tokenBytes(token);
  const body = bytes.subarray(0, bytes.length - MAC_BYTES);
  if (!timingSafeEqual(macOf(body, key), bytes.subarray(body.length))) throw invalidIterator("bad signature");
  const payload = readBody(body);
  if (nowMs - payload.issuedAtMs > ttlMs) throw expired(payload.issuedAtMs, nowMs, ttlMs);
  return payload;
}

function assertKey(key: Uint8Array): void {
  assert(key.length >= ITERATOR_KEY_BYTES_MIN, `iterator key must have at least ${ITERATOR_KEY_BYTES_MIN} bytes`);
}

function assertPayloadNumbers(payload: IteratorPayload): void {
  const { index, offset } = payload.position;
  assert(Number.isSafeInteger(index) && index >= 0, `bad iterator log index ${index}`);
  assert(Number.isInteger(offset) && offset >= 0 && offset <= SEQUENCE_OFFSET_MAX, `bad iterator offset ${offset}`);
  const issuedAtMs = payload.issuedAtMs;
  assert(Number.isSafeInteger(issuedAtMs) && issuedAtMs >= 0, `bad iterator issue time ${issuedAtMs}`);
}

function macOf(body: Uint8Array, key: Uint8Array): Buffer {
  return createHmac("sha256", key).update(body).digest().subarray(0, MAC_BYTES);
}

function writeString(out: Buffer, pos: number, bytes: Buffer): number {
  const at = out.writeUInt8(bytes.length, pos);
  out.set(bytes, at);
  return at + bytes.length;
}

/** The token's bytes, if it is canonical base64url long enough to hold a MAC. */
function tokenBytes(token: string): Buffer {
  if (token.length < 1) throw constraintViolation("ShardIterator", "have length greater than or equal to 1");
  if (token.length > LIMITS.shardIteratorLengthMax) {
    throw constraintViolation("ShardIterator", `have length less than or equal to ${LIMITS.shardIteratorLengthMax}`);
  }
  if (!BASE64URL_PATTERN.test(token)) throw invalidIterator("not base64url");
  const bytes = Buffer.from(token, "base64url");
  // Node ignores stray bits in the last character; re-encoding catches a token altered only there.
  if (bytes.toString("base64url") !== token) throw invalidIterator("not canonical base64url");
  if (bytes.length < FIXED_BYTES + 1 + MAC_BYTES) throw invalidIterator("too short");
  return bytes;
}

/** Parses an authenticated body. Only a bug or a key leak could make it malformed, but it is checked anyway. */
function readBody(body: Buffer): IteratorPayload {
  const cursor = { pos: 0 };
  if (body.readUInt8(cursor.pos++) !== ITERATOR_VERSION) throw invalidIterator("unknown version");
  const streamName = readString(body, cursor);
  const streamId = readString(body, cursor);
  if (body.length - cursor.pos !== FIXED_BYTES - 3) throw invalidIterator("bad length");
  const shardNumber = body.readUIntBE(cursor.pos, 6);
  const index = body.readBigUInt64BE(cursor.pos + 6);
  const offset = body.readUIntBE(cursor.pos + 14, 3);
  const issuedAtMs = body.readBigUInt64BE(cursor.pos + 17);
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  if (shardNumber > SHARD_NUMBER_MAX || index > safe || issuedAtMs > safe) {
    throw invalidIterator("number out of range");
  }
  const position = { index: Number(index), offset };
  return { streamName, streamId, shardId: shardIdOf(shardNumber), position, issuedAtMs: Number(issuedAtMs) };
}

function readString(body: Buffer, cursor: { pos: number }): string {
  const length = body[cursor.pos];
  if (length === undefined || length > body.length - cursor.pos - 1) throw invalidIterator("bad length");
  const start = cursor.pos + 1;
  cursor.pos = start + length;
  return body.toString("utf8", start, cursor.pos);
}

function invalidIterator(reason: string): KinesisError {
  return invalidArgument(`Invalid ShardIterator: it is malformed or was not issued by this cluster (${reason}).`);
}

function expired(issuedAtMs: number, nowMs: number, ttlMs: number): KinesisError {
  return expiredIterator(
    `Iterator expired. The iterator was created at time ${timeOf(issuedAtMs)} while right now ` +
      `it is ${timeOf(nowMs)} which is further in the future than the tolerated delay of ` +
      `${ttlMs} milliseconds.`,
  );
}

/** A wall-clock time for a message; Date throws on times beyond +-8.64e15 ms, which then print as numbers. */
function timeOf(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms after the epoch` : date.toISOString();
}

/**
 * The stream a shard iterator names, read WITHOUT checking its MAC, or undefined when the token is not
 * one. Only for authorization before GetRecords runs: GetRecords then verifies the MAC itself, so a
 * token altered to name another stream is refused there.
 */
export function streamNameOfIterator(token: string): string | undefined {
  try {
    const bytes = tokenBytes(token);
    if (bytes.readUInt8(0) !== ITERATOR_VERSION) return undefined;
    return readString(bytes.subarray(0, bytes.length - MAC_BYTES), { pos: 1 });
  } catch {
    return undefined;
  }
}

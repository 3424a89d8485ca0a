/**
 * The 128-bit hash key space. A record's hash key is MD5(partitionKey as UTF-8) read as an unsigned
 * big-endian integer, exactly as Kinesis computes it, so that a key lands on the same shard in Eddy as
 * it would in Kinesis for the same shard layout.
 */
import { hash } from "node:crypto";
import { constraintViolation } from "./violations.js";

export const HASH_KEY_MAX: bigint = (1n << 128n) - 1n;

/** 2^128 - 1 has 39 decimal digits; anything longer (ignoring leading zeros) is out of range. */
const HASH_KEY_DIGITS_MAX = HASH_KEY_MAX.toString().length;

/**
 * Lone surrogates in `partitionKey` are encoded as U+FFFD, the same way the record-batch codec encodes
 * the key, so the hash of a stored key always matches the hash used to route it.
 */
export function hashKeyOf(partitionKey: string): bigint {
  // The one-shot form: a put hashes every record's key, and it skips a Hash object per record.
  const digestHex = hash("md5", partitionKey, "hex");
  return BigInt(`0x${digestHex}`);
}

/** Parses an ExplicitHashKey (or any hash key given as text): decimal digits only, 0..2^128-1. */
export function parseHashKey(text: string, field: string): bigint {
  if (!/^[0-9]+$/.test(text)) {
    throw constraintViolation(field, "be a decimal integer in the range [0, 2^128 - 1] (digits only)");
  }
  // Strip leading zeros before the length check so that BigInt never parses an unbounded string.
  const significant = text.replace(/^0+(?=[0-9])/, "");
  if (significant.length > HASH_KEY_DIGITS_MAX || BigInt(significant) > HASH_KEY_MAX) {
    throw constraintViolation(field, `have value less than or equal to 2^128 - 1 (${HASH_KEY_MAX})`);
  }
  return BigInt(significant);
}

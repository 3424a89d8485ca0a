/**
 * Principal secrets are derived, never stored. SigV4 verification needs the secret itself (it is an HMAC
 * key), while the metadata must keep only a hash of it: deriving every principal's secret from the root
 * secret (which each broker has in its auth file) gives both.
 *
 *   principalKey = HMAC-SHA256(rootSecret, "eddy principal keys v1")
 *   secret       = base64url(HMAC-SHA256(principalKey, "eddy principal secret v1\n" + accessKeyId))
 *
 * A new root secret therefore changes every principal's secret: rotating the auth file invalidates
 * every principal (they must be created again).
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const PRINCIPAL_KEYS_LABEL = "eddy principal keys v1";
const PRINCIPAL_SECRET_LABEL = "eddy principal secret v1\n";

export function principalSecretOf(rootSecret: string, accessKeyId: string): string {
  const principalKey = createHmac("sha256", rootSecret).update(PRINCIPAL_KEYS_LABEL).digest();
  return createHmac("sha256", principalKey)
    .update(PRINCIPAL_SECRET_LABEL + accessKeyId)
    .digest("base64url");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Whether `secret` hashes to `expectedSha256Hex`, compared in constant time. */
export function secretMatches(secret: string, expectedSha256Hex: string): boolean {
  const actual = Buffer.from(sha256Hex(secret), "hex");
  const expected = Buffer.from(expectedSha256Hex, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Base32 (RFC 4648) letters: access key ids use them, as AWS's do. */
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** "EDDY" + 16 base32 characters, from 16 random bytes the caller supplies (core makes no randomness). */
export function accessKeyIdOf(randomBytes: Uint8Array): string {
  if (randomBytes.length < 16) throw new RangeError("an access key id needs 16 random bytes");
  let id = "EDDY";
  for (let i = 0; i < 16; i++) id += BASE32[randomBytes[i]! % 32];
  return id;
}

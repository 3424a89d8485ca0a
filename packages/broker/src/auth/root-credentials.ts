/**
 * The root credentials: a JSON file `{"accessKeyId": "...", "secretAccessKey": "..."}`, the same on every
 * broker of a cluster (Kubernetes mounts it from a Secret). Its holder is admin of everything; it is not
 * in the replicated metadata. Every principal's secret is derived from its secret (core/auth/secrets.ts),
 * so a new root file invalidates every principal.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { accessKeyIdOf, ACCESS_KEY_ID_PATTERN } from "@eddy/core";

export interface RootCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A root secret shorter than this could be guessed; `eddy auth init` writes 32 random bytes (43 characters). */
export const ROOT_SECRET_LENGTH_MIN = 32;

export function readRootCredentials(file: string): RootCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`auth file ${file} is not readable JSON: ${(error as Error).message}`);
  }
  const problems = rootCredentialProblems(parsed);
  if (problems.length > 0) throw new Error(`auth file ${file}: ${problems.join("; ")}`);
  return parsed as RootCredentials;
}

export function rootCredentialProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return ["must be a JSON object"];
  const { accessKeyId, secretAccessKey } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof accessKeyId !== "string" || !ACCESS_KEY_ID_PATTERN.test(accessKeyId)) {
    problems.push(`accessKeyId must match ${ACCESS_KEY_ID_PATTERN.source}`);
  }
  if (typeof secretAccessKey !== "string" || secretAccessKey.length < ROOT_SECRET_LENGTH_MIN) {
    problems.push(`secretAccessKey must be a string of at least ${ROOT_SECRET_LENGTH_MIN} characters`);
  }
  return problems;
}

export function newRootCredentials(): RootCredentials {
  return { accessKeyId: newAccessKeyId(), secretAccessKey: randomBytes(32).toString("base64url") };
}

export function newAccessKeyId(): string {
  return accessKeyIdOf(randomBytes(16));
}

/** Writes a root file readable by its owner only; refuses to overwrite one. */
export function writeRootCredentials(file: string, credentials: RootCredentials): void {
  try {
    writeFileSync(file, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      // Overwriting would invalidate every principal of the clusters that use it.
      throw new Error(`${file} exists; root credentials are never overwritten (remove it first to start over)`, {
        cause: error,
      });
    }
    throw error;
  }
}

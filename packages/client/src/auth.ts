/**
 * Where the SDK finds credentials, first match wins:
 *   1. `auth` in the options;
 *   2. EDDY_ACCESS_KEY_ID and EDDY_SECRET_ACCESS_KEY in the environment;
 *   3. a profile of the credentials file, an INI file (EDDY_SHARED_CREDENTIALS_FILE, else
 *      ~/.eddy/credentials) with `access_key_id` and `secret_access_key` under `[default]`, or under the
 *      profile named by the `profile` option or EDDY_PROFILE.
 * None of them: calls go without credentials (a broker without authentication takes them).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "ini";
import { constraintViolation } from "@eddy/core";

export interface AuthCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const DEFAULT_PROFILE = "default";

export function defaultCredentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env["EDDY_SHARED_CREDENTIALS_FILE"] || join(homedir(), ".eddy", "credentials");
}

export function resolveAuth(
  options: { auth?: AuthCredentials | undefined; profile?: string | undefined } = {},
  env: NodeJS.ProcessEnv = process.env,
): AuthCredentials | undefined {
  if (options.auth !== undefined) return checked(options.auth, "auth");
  const id = env["EDDY_ACCESS_KEY_ID"];
  const secret = env["EDDY_SECRET_ACCESS_KEY"];
  if (id || secret) {
    if (!id || !secret) {
      throw constraintViolation(
        id ? "EDDY_SECRET_ACCESS_KEY" : "EDDY_ACCESS_KEY_ID",
        "be set along with the other (EDDY_ACCESS_KEY_ID and EDDY_SECRET_ACCESS_KEY go together)",
      );
    }
    return { accessKeyId: id, secretAccessKey: secret };
  }
  const named = options.profile ?? env["EDDY_PROFILE"];
  return profileCredentials(defaultCredentialsFile(env), named ?? DEFAULT_PROFILE, named !== undefined);
}

/** A profile's credentials; a missing file or `[default]` section is "no credentials", a missing named profile an error. */
export function profileCredentials(file: string, profile: string, required: boolean): AuthCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return undefined;
    throw constraintViolation("profile", `be in a readable credentials file; ${file}: ${(error as Error).message}`);
  }
  const section = parse(text)[profile] as Record<string, unknown> | undefined;
  if (section === undefined) {
    if (!required) return undefined;
    throw constraintViolation("profile", `name a section of ${file}`, profile);
  }
  const { access_key_id: accessKeyId, secret_access_key: secretAccessKey } = section;
  if (typeof accessKeyId !== "string" || typeof secretAccessKey !== "string") {
    throw constraintViolation(`${file} [${profile}]`, "have access_key_id and secret_access_key");
  }
  return { accessKeyId, secretAccessKey };
}

function checked(auth: AuthCredentials, field: string): AuthCredentials {
  if (typeof auth.accessKeyId !== "string" || auth.accessKeyId === "") {
    throw constraintViolation(`${field}.accessKeyId`, "be a non-empty string");
  }
  if (typeof auth.secretAccessKey !== "string" || auth.secretAccessKey === "") {
    throw constraintViolation(`${field}.secretAccessKey`, "be a non-empty string");
  }
  return auth;
}

import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accessKeyIdOf } from "@eddy/core";

export interface RootAuthFile {
  readonly file: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A root credentials file as `eddy auth init` writes it (mode 0600), in a new temporary directory. */
export async function createAuthFile(): Promise<RootAuthFile> {
  const dir = await mkdtemp(join(tmpdir(), "eddy-auth-"));
  const root = { accessKeyId: accessKeyIdOf(randomBytes(16)), secretAccessKey: randomBytes(32).toString("base64url") };
  const file = join(dir, "root.json");
  await writeFile(file, JSON.stringify(root), { mode: 0o600 });
  return { file, ...root };
}

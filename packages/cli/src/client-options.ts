/**
 * How the commands that talk to a broker connect: `--endpoint` (EDDY_ENDPOINT), and TLS verified
 * against `--tls-ca` (EDDY_TLS_CA) when given. The environment variable is read here rather than as
 * the flag's default, because `eddy broker --tls-ca` reaches the same program-level flag and must not
 * pick up a client's environment.
 */
import type { Command } from "commander";
import type { EddyClientOptions } from "@eddy/client";

export function clientOptions(program: Command): EddyClientOptions {
  const { endpoint, tlsCa } = program.opts<{ endpoint: string; tlsCa?: string }>();
  const ca = tlsCa ?? (process.env.EDDY_TLS_CA || undefined);
  return { endpoint, ...(ca !== undefined ? { tls: { ca } } : {}) };
}

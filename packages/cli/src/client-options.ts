/**
 * How the commands that talk to a broker connect and who they are: `--endpoint` (EDDY_ENDPOINT), TLS
 * verified against `--tls-ca` (EDDY_TLS_CA) when given, and the credentials of `--access-key-id` /
 * `--secret-access-key` or `--profile` (without them the SDK looks in EDDY_ACCESS_KEY_ID /
 * EDDY_SECRET_ACCESS_KEY, then ~/.eddy/credentials). EDDY_TLS_CA is read here rather than as the
 * flag's default, because `eddy broker --tls-ca` reaches the same program-level flag and must not pick
 * up a client's environment.
 */
import { InvalidArgumentError, type Command } from "commander";
import { EddyClient, type EddyClientOptions } from "@eddy/client";

/** The program-level flags a client command reads. */
export interface GlobalOptions {
  endpoint: string;
  tlsCa?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  profile?: string;
}

/** The client options the global flags give; the id and the secret come together or not at all. */
export function clientOptionsOf(o: GlobalOptions, tlsCaFromEnv?: string): EddyClientOptions {
  if ((o.accessKeyId === undefined) !== (o.secretAccessKey === undefined)) {
    throw new InvalidArgumentError("--access-key-id and --secret-access-key go together");
  }
  const ca = o.tlsCa ?? tlsCaFromEnv;
  return {
    endpoint: o.endpoint,
    ...(ca !== undefined ? { tls: { ca } } : {}),
    ...(o.accessKeyId !== undefined && o.secretAccessKey !== undefined
      ? { auth: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } }
      : {}),
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
  };
}

export function clientOptions(program: Command): EddyClientOptions {
  return clientOptionsOf(program.opts<GlobalOptions>(), process.env.EDDY_TLS_CA || undefined);
}

/** Runs `run` with a client of the program's connection options, closed afterwards. */
export async function withClient<T>(program: Command, run: (client: EddyClient) => Promise<T>): Promise<T> {
  const client = new EddyClient(clientOptions(program));
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

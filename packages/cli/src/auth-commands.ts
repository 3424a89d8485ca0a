/**
 * `eddy auth init|create|list|delete|grant|revoke`: root credentials and principals. The global flags
 * `--access-key-id`, `--secret-access-key` and `--profile` say who calls; without them the SDK looks in
 * EDDY_ACCESS_KEY_ID / EDDY_SECRET_ACCESS_KEY, then ~/.eddy/credentials.
 */
import { resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { ACTIONS, type Action } from "@eddy/core";
import { EddyClient, type PrincipalInfo } from "@eddy/client";
import { newRootCredentials, writeRootCredentials } from "@eddy/broker";
import { withClient as withProgramClient } from "./client-options.js";
import { table } from "./format.js";

/** --actions read,write: each of read, write, consume, admin, at least one. */
export function actionList(value: string): Action[] {
  const actions = value
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  const unknown = actions.filter((a) => !ACTIONS.includes(a as Action));
  if (unknown.length > 0 || actions.length === 0) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${ACTIONS.join(", ")}; got ${value}`);
  }
  return [...new Set(actions as Action[])];
}

export function registerAuthCommands(program: Command): void {
  const withClient = (run: (client: EddyClient) => Promise<void>): Promise<void> => withProgramClient(program, run);
  const auth = program.command("auth").description("root credentials, principals and their permissions");

  auth
    .command("init")
    .description("write new random root credentials to a file (mode 0600) for `eddy broker --auth-file`")
    .requiredOption("--out <file>", "where to write them; an existing file is not overwritten")
    .action((o: { out: string }) => {
      const file = resolve(o.out);
      const root = newRootCredentials();
      writeRootCredentials(file, root);
      process.stdout.write(
        `wrote root credentials to ${file} (access key id ${root.accessKeyId}).\n` +
          "Give every broker the same file (--auth-file); whoever holds it is admin of everything.\n" +
          "A new root file invalidates every principal's secret.\n",
      );
    });

  auth
    .command("create <name>")
    .description("create a principal; prints its access key id and secret, which is shown only this once")
    .option("--json", "print the principal and its secret as JSON")
    .action((name: string, o: { json?: boolean }) =>
      withClient(async (c) => {
        const p = await c.createPrincipal({ name });
        if (o.json) {
          process.stdout.write(
            JSON.stringify({ name: p.name, accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey }) + "\n",
          );
          return;
        }
        process.stdout.write(
          `principal ${p.name} created\n` +
            `  access key id      ${p.accessKeyId}\n` +
            `  secret access key  ${p.secretAccessKey}\n` +
            "The secret is not stored and will not be shown again; keep it now. It has no permissions yet:\n" +
            `  eddy auth grant ${p.name} --stream NAME-OR-PREFIX* --actions read,write\n`,
        );
      }),
    );

  auth
    .command("list")
    .description("principals, their access key ids and grants (never secrets)")
    .option("--json", "one JSON object per principal and line")
    .action((o: { json?: boolean }) =>
      withClient(async (c) => {
        const principals = await c.listPrincipals();
        if (o.json) {
          for (const p of principals) process.stdout.write(JSON.stringify(p) + "\n");
          return;
        }
        const rows = [
          ["NAME", "ACCESS KEY ID", "CREATED", "GRANTS"],
          ...principals.map((p) => [p.name, p.accessKeyId, p.createdAt.toISOString(), grantsText(p)]),
        ];
        process.stdout.write(table(rows).join("\n") + "\n");
      }),
    );

  auth
    .command("delete <name>")
    .description("delete a principal: its credentials stop working")
    .action((name: string) =>
      withClient(async (c) => {
        await c.deletePrincipal({ name });
        process.stdout.write(`principal ${name} deleted\n`);
      }),
    );

  auth
    .command("grant <name>")
    .description("allow actions on a stream, a prefix (orders-*), or every stream (*)")
    .requiredOption("--stream <pattern>", "a stream name, a prefix ending in *, or *")
    .requiredOption("--actions <list>", `comma-separated: ${ACTIONS.join(", ")}`, actionList)
    .action((name: string, o: { stream: string; actions: Action[] }) =>
      withClient(async (c) => {
        const p = await c.grantPermission({ name, resource: o.stream, actions: o.actions });
        process.stdout.write(`${p.name}: ${grantsText(p)}\n`);
      }),
    );

  auth
    .command("revoke <name>")
    .description("take actions back on a pattern; without --actions, the pattern's whole grant")
    .requiredOption("--stream <pattern>", "the pattern the grant was made on")
    .option("--actions <list>", `comma-separated: ${ACTIONS.join(", ")}`, actionList)
    .action((name: string, o: { stream: string; actions?: Action[] }) =>
      withClient(async (c) => {
        const p = await c.revokePermission({ name, resource: o.stream, ...(o.actions ? { actions: o.actions } : {}) });
        process.stdout.write(`${p.name}: ${grantsText(p)}\n`);
      }),
    );
}

function grantsText(p: PrincipalInfo): string {
  return p.grants.length === 0 ? "(none)" : p.grants.map((g) => `${g.resource}=${g.actions.join(",")}`).join(" ");
}

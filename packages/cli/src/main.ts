#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { KinesisError } from "@eddy/core";
import { registerAppCommands } from "./app-commands.js";
import { registerAuthCommands } from "./auth-commands.js";
import { registerBrokerCommands } from "./broker-commands.js";
import { registerCertsCommands } from "./certs-commands.js";
import { registerClusterCommands } from "./cluster-commands.js";
import { registerStreamCommands } from "./stream-commands.js";

/** `eddy`: runs brokers and administers streams. Wrong use prints usage and exits 2; a failed call exits 1. */
const program = new Command("eddy")
  .description("Eddy: a replicated stream broker that behaves like Amazon Kinesis Data Streams")
  .option(
    "--endpoint <host:port>",
    "gRPC endpoint of a broker (env EDDY_ENDPOINT)",
    process.env.EDDY_ENDPOINT ?? "127.0.0.1:7400",
  )
  .option("--tls-ca <file>", "connect with TLS, trusting the CA in this PEM file (env EDDY_TLS_CA)")
  .option(
    "--access-key-id <id>",
    "credentials for a broker with authentication (else env EDDY_ACCESS_KEY_ID, or the profile)",
  )
  .option(
    "--secret-access-key <secret>",
    "the access key id's secret (else env EDDY_SECRET_ACCESS_KEY, or the profile)",
  )
  .option("--profile <name>", "profile of ~/.eddy/credentials (env EDDY_PROFILE; default: default)")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerBrokerCommands(program);
registerClusterCommands(program);
registerStreamCommands(program);
registerAppCommands(program);
registerCertsCommands(program);
registerAuthCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof KinesisError) {
    process.stderr.write(`eddy: ${error.name}: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`eddy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

/**
 * The bench coordinator: `npm run bench -- <scenario> [options]` (see options.ts and bench/README.md).
 * It starts brokers and forks worker processes, but sends no load itself, so that its own event loop
 * never paces the figures.
 */
import { cleanUpOnSignals, interrupted } from "./bounded.js";
import { parseOptions, USAGE, UsageError, type BenchOptions } from "./options.js";
import { KinesaliteProcess } from "./kinesalite-process.js";
import { machineInfo, writeReport, type MachineInfo } from "./report.js";
import { runScenario } from "./runner.js";
import type { BenchCase, Scenario, ScenarioName } from "./scenario.js";
import { applicationScenario } from "./scenarios/application.js";
import { capacityScenario } from "./scenarios/capacity.js";
import { peersScenario } from "./scenarios/peers.js";
import { probeNatsServer } from "./nats-cluster.js";
import { e2eScenario } from "./scenarios/e2e.js";
import { failoverScenario } from "./scenarios/failover.js";
import { kinesisPeersScenario } from "./scenarios/kinesis-peers.js";
import { fanoutScenario } from "./scenarios/fanout.js";
import { limitsScenario } from "./scenarios/limits.js";
import { producerScenario } from "./scenarios/producer.js";
import { putLatencyScenario } from "./scenarios/put-latency.js";
import { putScenario } from "./scenarios/put.js";
import { replicationScenario } from "./scenarios/replication.js";

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!isUsageProblem(error)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  cleanUpOnSignals();
  const machine = machineInfo();
  const problems: string[] = [];
  for (const name of options.scenarios) problems.push(...(await runNamed(name, options, machine)));
  if (problems.length === 0) return 0;
  process.stderr.write(`Off (exit code 1):\n${problems.map((p) => `- ${p}\n`).join("")}`);
  return 1;
}

/** Resolves with what the scenario's own check found off (only limits checks). */
function runNamed(name: ScenarioName, options: BenchOptions, machine: MachineInfo): Promise<string[]> {
  switch (name) {
    case "put":
      return runAndReport(putScenario(options.put), machine, options.outDir);
    case "put-latency":
      return runAndReport(putLatencyScenario(options.putLatency), machine, options.outDir);
    case "e2e":
      return runAndReport(e2eScenario(options.e2e), machine, options.outDir);
    case "replication":
      return runAndReport(replicationScenario(options.replication), machine, options.outDir);
    case "failover":
      return runAndReport(failoverScenario(options.failover), machine, options.outDir);
    case "producer":
      return runAndReport(producerScenario(options.producer), machine, options.outDir);
    case "application":
      return runAndReport(applicationScenario(options.application), machine, options.outDir);
    case "kinesis-peers":
      return runKinesisPeers(options, machine);
    case "limits":
      return runAndReport(limitsScenario(options.limits), machine, options.outDir);
    case "fanout":
      return runAndReport(fanoutScenario(options.fanout), machine, options.outDir);
    case "capacity":
      return runAndReport(capacityScenario(options.capacity), machine, options.outDir);
    case "peers":
      return runPeers(options, machine);
  }
}

/** Whether kinesalite runs here decides the cases: without it, Eddy alone (and the report says why). */
async function runKinesisPeers(options: BenchOptions, machine: MachineInfo): Promise<string[]> {
  const kinesalite = await KinesaliteProcess.probe();
  if (!kinesalite.available)
    process.stderr.write(`kinesis-peers: kinesalite cannot run here (${kinesalite.reason}); measuring Eddy alone\n`);
  return runAndReport(kinesisPeersScenario(options.kinesisPeers, kinesalite), machine, options.outDir);
}

/** Whether nats-server is on PATH decides the cases: without it, Eddy alone (and the report says why). */
function runPeers(options: BenchOptions, machine: MachineInfo): Promise<string[]> {
  const nats = probeNatsServer();
  if (!nats.available) process.stderr.write(`peers: NATS JetStream skipped (${nats.reason}); measuring Eddy alone\n`);
  return runAndReport(peersScenario(options.peers, nats), machine, options.outDir);
}

async function runAndReport<K extends string, C extends BenchCase>(
  scenario: Scenario<K, C>,
  machine: MachineInfo,
  outDir: string | undefined,
): Promise<string[]> {
  const report = await runScenario(scenario);
  const written = await writeReport(report, machine, outDir);
  process.stdout.write(`${written.markdown}\nWritten to ${written.dir}\n\n`);
  return scenario.check?.(report.cases) ?? [];
}

/** Our own UsageError, or one of parseArgs's (unknown option, missing value...). */
function isUsageProblem(error: unknown): error is Error {
  if (error instanceof UsageError) return true;
  return error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Interrupted: the signal handler is cleaning up and will exit; the workers it killed are not news.
    if (interrupted()) return;
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);

/**
 * The bench coordinator: `npm run bench -- <scenario> [options]` (see options.ts and bench/README.md).
 * It starts brokers and forks worker processes, but sends no load itself, so that its own event loop
 * never paces the figures.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanUpOnSignals, interrupted } from "./bounded.js";
import { parseOptions, USAGE, UsageError, type BenchOptions } from "./options.js";
import { KinesaliteProcess } from "./kinesalite-process.js";
import { machineInfo, writeReport, type MachineInfo } from "./report.js";
import { redraw } from "./redraw.js";
import { runScenario } from "./runner.js";
import { SCENARIO_NAMES, type BenchCase, type Scenario, type ScenarioName } from "./scenario.js";
import { SMOKE_PLANS, type SmokeResult, type SmokeVerdict } from "./smoke.js";
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
  if (argv[0] === "smoke") return runSmoke(argv.slice(1));
  if (argv[0] === "redraw") {
    if (argv.length < 2) {
      process.stderr.write(`redraw: give one or more results directories\n\n${USAGE}`);
      return 2;
    }
    process.stdout.write((await redraw(argv.slice(1))).map((line) => `${line}\n`).join(""));
    return 0;
  }
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
  for (const name of options.scenarios) {
    const ran = await runNamed(name, options, machine);
    process.stdout.write(`${ran.markdown}\nWritten to ${ran.dir}\n\n`);
    problems.push(...ran.problems);
  }
  if (problems.length === 0) return 0;
  process.stderr.write(`Off (exit code 1):\n${problems.map((p) => `- ${p}\n`).join("")}`);
  return 1;
}

/** One scenario's report, where it was written, and what the scenario's own check found off (only limits checks). */
interface Ran {
  readonly dir: string;
  readonly markdown: string;
  readonly problems: string[];
}

function runNamed(name: ScenarioName, options: BenchOptions, machine: MachineInfo): Promise<Ran> {
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
async function runKinesisPeers(options: BenchOptions, machine: MachineInfo): Promise<Ran> {
  const kinesalite = await KinesaliteProcess.probe();
  if (!kinesalite.available)
    process.stderr.write(`kinesis-peers: kinesalite cannot run here (${kinesalite.reason}); measuring Eddy alone\n`);
  return runAndReport(kinesisPeersScenario(options.kinesisPeers, kinesalite), machine, options.outDir);
}

/** Whether nats-server is on PATH decides the cases: without it, Eddy alone (and the report says why). */
function runPeers(options: BenchOptions, machine: MachineInfo): Promise<Ran> {
  const nats = probeNatsServer();
  if (!nats.available) process.stderr.write(`peers: NATS JetStream skipped (${nats.reason}); measuring Eddy alone\n`);
  return runAndReport(peersScenario(options.peers, nats), machine, options.outDir);
}

async function runAndReport<K extends string, C extends BenchCase>(
  scenario: Scenario<K, C>,
  machine: MachineInfo,
  outDir: string | undefined,
): Promise<Ran> {
  const report = await runScenario(scenario);
  const written = await writeReport(report, machine, outDir);
  return { ...written, problems: scenario.check?.(report.cases) ?? [] };
}

/**
 * `smoke [scenario...]`: each scenario (all by default) with its tiny settings from smoke.ts, written to a
 * temporary directory and checked there; a failing scenario is named and the next one still runs. Exit 1
 * if any failed. The directory is removed when all passed and kept (and named) when one failed.
 */
async function runSmoke(names: readonly string[]): Promise<number> {
  const unknown = names.filter((n) => !SCENARIO_NAMES.some((known) => known === n));
  if (unknown.length > 0) {
    process.stderr.write(`smoke: unknown scenario ${unknown.join(", ")}; choose from ${SCENARIO_NAMES.join(", ")}\n`);
    return 2;
  }
  const chosen = names.length > 0 ? SCENARIO_NAMES.filter((n) => names.includes(n)) : SCENARIO_NAMES;
  cleanUpOnSignals();
  const machine = machineInfo();
  const outDir = await mkdtemp(join(tmpdir(), "eddy-bench-smoke-"));
  const failed: string[] = [];
  const startedAtMs = Date.now();
  for (const name of chosen) {
    const plan = SMOKE_PLANS[name];
    const scenarioStartMs = Date.now();
    let verdict: SmokeVerdict;
    let markdown = "";
    try {
      const options = parseOptions([name, ...plan.args, "--out", outDir]);
      if (options === "help") throw new Error("smoke settings asked for help");
      // limits' own check (each limit within 5 %) needs long windows; smoke checks its own way (smoke.ts).
      const ran = await runNamed(name, options, machine);
      markdown = ran.markdown;
      const result = JSON.parse(await readFile(join(ran.dir, "result.json"), "utf8")) as SmokeResult;
      verdict = plan.check(result);
    } catch (error) {
      if (interrupted()) return 130;
      verdict = { problems: [`did not finish: ${error instanceof Error ? error.message : String(error)}`], notes: [] };
    }
    const seconds = ((Date.now() - scenarioStartMs) / 1000).toFixed(1);
    const ok = verdict.problems.length === 0;
    if (!ok) failed.push(name);
    process.stdout.write(
      `smoke ${ok ? "ok  " : "FAIL"} ${name} (${seconds} s)\n` +
        [...verdict.problems.map((p) => `  problem: ${p}\n`), ...verdict.notes.map((n) => `  note: ${n}\n`)].join("") +
        (ok ? "" : `${markdown}\n`),
    );
  }
  const totalSeconds = ((Date.now() - startedAtMs) / 1000).toFixed(0);
  if (failed.length > 0) {
    process.stdout.write(`smoke: FAILED ${failed.join(", ")} (${totalSeconds} s); results kept in ${outDir}\n`);
    return 1;
  }
  await rm(outDir, { recursive: true, force: true });
  process.stdout.write(`smoke: all ${chosen.length} scenario(s) ok (${totalSeconds} s)\n`);
  return 0;
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

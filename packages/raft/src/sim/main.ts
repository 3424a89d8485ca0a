/**
 * The simulator's command line (`npm run sim -- ...`). The only file of this package that touches the
 * process: arguments in, lines out, exit code 1 on a failing seed. It reads no clock; time the run
 * from outside.
 *
 *   --seeds N [--from S] [--nodes 3|5]   run seeds S .. S+N-1 (default 1000 seeds from 1, 3 nodes)
 *   --seed S [--nodes 3|5] [--trace]     run one seed, printing every event with --trace
 *   --chaos-ticks T                      ticks of faults before healing (default 300)
 *   --help
 */
import { parseArgs } from "node:util";

import { runSimulation, SimulationFailure, type SimulationSummary } from "./simulator.js";

const PROGRESS_EVERY_SEEDS = 1000;

const USAGE = `usage: npm run sim -- [options]
  --seeds N [--from S] [--nodes 3|5]   run seeds S .. S+N-1 (default 1000 seeds from 1, 3 nodes)
  --seed S [--nodes 3|5] [--trace]     run one seed, printing every event with --trace
  --chaos-ticks T                      ticks of faults before healing (default 300)
  --help                               this text`;

function parseOptions() {
  return parseArgs({
    options: {
      seeds: { type: "string", default: "1000" },
      from: { type: "string", default: "1" },
      seed: { type: "string" },
      nodes: { type: "string", default: "3" },
      trace: { type: "boolean", default: false },
      "chaos-ticks": { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
}

function main(): number {
  let values: ReturnType<typeof parseOptions>["values"];
  try {
    values = parseOptions().values;
  } catch (error) {
    // Wrong use: say what and how, not a stack trace.
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const nodes = positiveInteger("nodes", values.nodes);
  const chaosTicks =
    values["chaos-ticks"] === undefined ? undefined : positiveInteger("chaos-ticks", values["chaos-ticks"]);
  if (values.seed !== undefined) return replay(positiveInteger("seed", values.seed), nodes, chaosTicks, values.trace);
  return sweep(positiveInteger("from", values.from), positiveInteger("seeds", values.seeds), nodes, chaosTicks);
}

function replay(seed: number, nodes: number, chaosTicks: number | undefined, trace: boolean): number {
  const options = { nodes, chaosTicks, trace: trace ? (line: string) => console.log(line) : undefined };
  try {
    console.log(JSON.stringify(runSimulation(seed, options), null, 2));
    return 0;
  } catch (error) {
    if (!(error instanceof SimulationFailure)) throw error;
    console.error(error.message);
    return 1;
  }
}

function sweep(from: number, count: number, nodes: number, chaosTicks: number | undefined): number {
  const total = {
    steps: 0,
    elections: 0,
    commits: 0,
    crashes: 0,
    partitions: 0,
    dropped: 0,
    confChanges: 0,
    transfers: 0,
    snapshots: 0,
  };
  for (let seed = from; seed < from + count; seed++) {
    let summary: SimulationSummary;
    try {
      summary = runSimulation(seed, { nodes, chaosTicks });
    } catch (error) {
      if (!(error instanceof SimulationFailure)) throw error;
      console.error(error.message);
      console.error(
        `\nFAILED: seed ${seed} (${nodes} nodes). Replay: npm run sim -- --seed ${seed} --nodes ${nodes} --trace`,
      );
      return 1;
    }
    total.steps += summary.steps;
    total.elections += summary.elections;
    total.commits += summary.committedIndex;
    total.crashes += summary.faults.crashes;
    total.partitions += summary.faults.partitions + summary.faults.oneWayCuts;
    total.dropped += summary.faults.dropped;
    total.confChanges += summary.faults.confChanges;
    total.transfers += summary.faults.transfers;
    total.snapshots += summary.faults.snapshotsInstalled;
    if ((seed - from + 1) % PROGRESS_EVERY_SEEDS === 0) console.log(`${seed - from + 1} seeds passed`);
  }
  console.log(`all ${count} seeds passed (${from}..${from + count - 1}, ${nodes} nodes):`, JSON.stringify(total));
  return 0;
}

function positiveInteger(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    console.error(`--${name} must be a positive integer, got ${value}`);
    process.exit(2);
  }
  return parsed;
}

process.exitCode = main();

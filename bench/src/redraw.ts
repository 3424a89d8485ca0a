/**
 * `npm run bench -- redraw <results dir>...`: draws a result's charts again from what it already holds
 * (result.json's medians, and raw/'s histograms where they were kept), for results written before a chart
 * existed. It measures nothing: every bar comes from the stored figures. A chart that cannot be drawn (a
 * latency chart without raw/) is left as it is; result.md gets a link to each chart it lacked.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderBarChart } from "./charts.js";
import { parseOptions } from "./options.js";
import { chartsOf } from "./report.js";
import type { CaseReport, RunRecord, ScenarioReport } from "./runner.js";
import { SCENARIO_NAMES, type BenchCase, type Scenario, type ScenarioName } from "./scenario.js";
import { applicationScenario } from "./scenarios/application.js";
import { capacityScenario } from "./scenarios/capacity.js";
import { e2eScenario } from "./scenarios/e2e.js";
import { failoverScenario } from "./scenarios/failover.js";
import { fanoutScenario } from "./scenarios/fanout.js";
import { kinesisPeersScenario } from "./scenarios/kinesis-peers.js";
import { limitsScenario } from "./scenarios/limits.js";
import { peersScenario } from "./scenarios/peers.js";
import { producerScenario } from "./scenarios/producer.js";
import { putLatencyScenario } from "./scenarios/put-latency.js";
import { putScenario } from "./scenarios/put.js";
import { replicationScenario } from "./scenarios/replication.js";

/** Said above the links redraw adds to result.md, so that nobody takes the charts for a new measurement. */
const REDRAWN_NOTE = "Charts drawn afterwards from this result.json (`npm run bench -- redraw <this directory>`):";

/** What of a scenario decides its charts. */
type ChartSpec = Pick<Scenario<string, BenchCase>, "columns" | "throughputChart" | "figuresChart">;

/** What redraw reads of result.json (see report.ts `toJson`). */
interface StoredResult {
  readonly scenario: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly cases: readonly {
    readonly case: BenchCase;
    readonly median: Readonly<Record<string, number | null>>;
    readonly runs: readonly { readonly run: number; readonly figures: Readonly<Record<string, number | null>> }[];
  }[];
}

/** Redraws every directory; resolves with the chart files written, per directory. */
export async function redraw(dirs: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const dir of dirs) {
    const written = await redrawOne(dir);
    lines.push(`${dir}: ${written.length > 0 ? written.join(", ") : "no chart to draw"}`);
  }
  return lines;
}

async function redrawOne(dir: string): Promise<string[]> {
  const stored = JSON.parse(await readFile(join(dir, "result.json"), "utf8")) as StoredResult;
  const name = SCENARIO_NAMES.find((n) => n === stored.scenario);
  if (!name) throw new Error(`${dir}/result.json: unknown scenario "${stored.scenario}"`);
  const spec = chartSpecOf(name);
  const cases: CaseReport<string, BenchCase>[] = [];
  for (const c of stored.cases) {
    const runs: RunRecord<string>[] = [];
    for (const r of c.runs)
      runs.push({
        run: r.run,
        figures: numbers(r.figures),
        errors: {},
        histograms: await rawHistograms(dir, c.case, r.run),
      });
    cases.push({ benchCase: c.case, runs, median: numbers(c.median) });
  }
  const scenario: Scenario<string, BenchCase> = {
    ...spec,
    name,
    summary: "",
    settings: {},
    cases: cases.map((c) => c.benchCase),
    runs: Math.max(...stored.cases.map((c) => c.runs.length)),
    warmupMs: 0,
    durationMs: 0,
    runTimeoutMs: 0,
    runOnce: () => Promise.reject(new Error("redraw measures nothing")),
  };
  const report: ScenarioReport<string, BenchCase> = {
    scenario,
    startedAt: new Date(stored.startedAt),
    finishedAt: new Date(stored.finishedAt),
    cases,
  };
  const charts = chartsOf(report);
  const markdownPath = join(dir, "result.md");
  let markdown = await readFile(markdownPath, "utf8");
  const added: string[] = [];
  for (const [fileName, chart] of Object.entries(charts)) {
    await writeFile(join(dir, fileName), renderBarChart(chart));
    const link = `![${fileName}](${fileName})`;
    if (!markdown.includes(link)) added.push(link);
  }
  if (added.length > 0) markdown = `${markdown.trimEnd()}\n\n${REDRAWN_NOTE}\n\n${added.join("\n")}\n`;
  await writeFile(markdownPath, markdown);
  return Object.keys(charts);
}

/** null (a figure without samples, as JSON keeps NaN) back to NaN. */
function numbers(figures: Readonly<Record<string, number | null>>): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v ?? Number.NaN]));
}

/** A run's histograms from raw/ (report.ts's file naming), or none when raw/ was not kept. */
async function rawHistograms(dir: string, benchCase: BenchCase, run: number): Promise<Record<string, string>> {
  const file = join(dir, "raw", `${benchCase.name.replace(/[^A-Za-z0-9]+/g, "-")}-run${run}.json`);
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return {};
  const entries = Object.entries(JSON.parse(text) as Record<string, unknown>);
  return Object.fromEntries(
    entries.filter((e): e is [string, string] => e[0].endsWith("Us") && typeof e[1] === "string"),
  );
}

/** The scenario as the defaults build it: only its columns and chart choices are used. */
function chartSpecOf(name: ScenarioName): ChartSpec {
  const options = parseOptions([name]);
  if (options === "help") throw new Error("unreachable: no --help given");
  const absent = { available: false, reason: "not probed (redraw)" } as const;
  const pick = (s: ChartSpec): ChartSpec => ({
    columns: s.columns,
    throughputChart: s.throughputChart,
    figuresChart: s.figuresChart,
  });
  switch (name) {
    case "put":
      return pick(putScenario(options.put));
    case "put-latency":
      return pick(putLatencyScenario(options.putLatency));
    case "e2e":
      return pick(e2eScenario(options.e2e));
    case "replication":
      return pick(replicationScenario(options.replication));
    case "failover":
      return pick(failoverScenario(options.failover));
    case "producer":
      return pick(producerScenario(options.producer));
    case "application":
      return pick(applicationScenario(options.application));
    case "kinesis-peers":
      return pick(kinesisPeersScenario(options.kinesisPeers, absent));
    case "limits":
      return pick(limitsScenario(options.limits));
    case "fanout":
      return pick(fanoutScenario(options.fanout));
    case "capacity":
      return pick(capacityScenario(options.capacity));
    case "peers":
      return pick(peersScenario(options.peers, absent));
  }
}

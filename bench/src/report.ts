import { mkdir, writeFile } from "node:fs/promises";
import { arch, cpus, loadavg, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderBarChart, type BarChart } from "./charts.js";
import { mergeHistograms } from "./histogram.js";
import type { CaseReport, ScenarioReport } from "./runner.js";
import type { BenchCase } from "./scenario.js";

export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL("../results", import.meta.url));

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly totalMemoryBytes: number;
  readonly nodeVersion: string;
  readonly platform: string;
  readonly arch: string;
  readonly osRelease: string;
  /** 1-minute load average when the bench started: a hint of how busy the neighbours were. */
  readonly loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    cpuCount: cores.length,
    totalMemoryBytes: totalmem(),
    nodeVersion: process.version,
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    loadAverage1m: loadavg()[0] ?? Number.NaN,
  };
}

export interface WrittenReport {
  readonly dir: string;
  readonly markdown: string;
}

/**
 * Writes `<root>/<YYYY-MM-DD>-<resultsName or name>/`: result.json, result.md, the charts (latency.svg,
 * throughput.svg, where the scenario has the figures) and raw/ (histograms, git-ignored).
 */
export async function writeReport<K extends string, C extends BenchCase>(
  report: ScenarioReport<K, C>,
  machine: MachineInfo,
  rootDir: string = DEFAULT_RESULTS_DIR,
): Promise<WrittenReport> {
  const dir = join(rootDir, `${localDate(report.startedAt)}-${report.scenario.resultsName ?? report.scenario.name}`);
  await mkdir(join(dir, "raw"), { recursive: true });
  const charts = chartsOf(report);
  const markdown = toMarkdown(report, machine, Object.keys(charts));
  await writeFile(join(dir, "result.json"), JSON.stringify(toJson(report, machine), null, 2) + "\n");
  for (const [fileName, chart] of Object.entries(charts)) await writeFile(join(dir, fileName), renderBarChart(chart));
  await writeFile(join(dir, "result.md"), markdown);
  for (const { benchCase, runs } of report.cases) {
    for (const run of runs) {
      const name = `${benchCase.name.replace(/[^A-Za-z0-9]+/g, "-")}-run${run.run}.json`;
      await writeFile(
        join(dir, "raw", name),
        JSON.stringify({ encoding: "HdrHistogram compressed base64, µs", ...run.histograms, ...run.raw }, null, 2) +
          "\n",
      );
    }
  }
  return { dir, markdown };
}

function toJson<K extends string, C extends BenchCase>(report: ScenarioReport<K, C>, machine: MachineInfo): object {
  const { scenario } = report;
  return {
    scenario: scenario.name,
    summary: scenario.summary,
    startedAt: report.startedAt.toISOString(),
    finishedAt: report.finishedAt.toISOString(),
    machine,
    settings: scenario.settings,
    ...(scenario.check ? { problems: scenario.check(report.cases) } : {}),
    figures: Object.fromEntries(scenario.columns.map((c) => [c.key, c.label])),
    // NaN (a figure with no samples) becomes null in JSON.
    cases: report.cases.map(({ benchCase, runs, median }) => ({
      case: benchCase,
      median,
      runs: runs.map(({ run, figures, errors, notes }) => ({ run, figures, errors, ...(notes ? { notes } : {}) })),
    })),
  };
}

export function toMarkdown<K extends string, C extends BenchCase>(
  report: ScenarioReport<K, C>,
  machine: MachineInfo,
  chartFileNames: readonly string[] = [],
): string {
  const { scenario } = report;
  const lines = [
    `## ${scenario.name} (${localDate(report.startedAt)})`,
    "",
    scenario.summary,
    "",
    `Machine: ${machine.cpuModel} × ${machine.cpuCount}, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, ` +
      `Node ${machine.nodeVersion}, ${machine.platform} ${machine.arch}; 1-min load average at start ${machine.loadAverage1m.toFixed(2)}.`,
    `Each run: ${scenario.runDescription ?? `fresh broker, warm-up ${scenario.warmupMs / 1000} s, measured window ${scenario.durationMs / 1000} s`}; ` +
      `${scenario.runs} run(s) per case, cases interleaved; "median" is the median over the runs.`,
    "",
    ...table(report),
    ...noteLines(report.cases),
    ...failureLines(report.cases),
    ...checkLines(report),
    ...(chartFileNames.length > 0 ? ["", ...chartFileNames.map((name) => `![${name}](${name})`)] : []),
  ];
  return lines.join("\n") + "\n";
}

/** A checking scenario's verdict (limits): what is off, or that nothing is. */
function checkLines<K extends string, C extends BenchCase>(report: ScenarioReport<K, C>): string[] {
  const problems = report.scenario.check?.(report.cases);
  if (problems === undefined) return [];
  if (problems.length === 0) return ["", "Check: every case within its tolerance."];
  return ["", "Check failed (the command exits 1):", ...problems.map((p) => `- ${p}`)];
}

/** The percentiles of the latency chart, in the order of its bars. */
const CHART_PERCENTILES = [
  { name: "p50", percentile: 50 },
  { name: "p90", percentile: 90 },
  { name: "p99", percentile: 99 },
  { name: "p99.9", percentile: 99.9 },
  { name: "max", percentile: 100 },
] as const;

/**
 * The charts every scenario gets, by file name, where it has the figures: latency.svg (each case's latency
 * histograms, all runs merged) and throughput.svg (the median of every records/s column per case).
 */
export function chartsOf<K extends string, C extends BenchCase>(
  report: ScenarioReport<K, C>,
): Record<string, BarChart> {
  const charts: Record<string, BarChart> = {};
  const latency = latencyChart(report);
  if (latency) charts["latency.svg"] = latency;
  const throughput = throughputChart(report);
  if (throughput) charts["throughput.svg"] = throughput;
  const figures = figuresChart(report);
  if (figures) charts[report.scenario.figuresChart!.fileName] = figures;
  return charts;
}

function figuresChart<K extends string, C extends BenchCase>(report: ScenarioReport<K, C>): BarChart | undefined {
  const chosen = report.scenario.figuresChart;
  if (!chosen) return undefined;
  const columns = report.scenario.columns.filter((c) => chosen.columns.includes(c.key));
  const series = columns.map((c) => ({ name: c.label, values: report.cases.map(({ median }) => median[c.key]) }));
  if (!series.some((s) => s.values.some((v) => Number.isFinite(v)))) return undefined;
  return {
    title: chartTitle(report, chosen.what),
    subtitle: `median over ${report.scenario.runs} run(s) per case`,
    valueAxisLabel: chosen.valueAxisLabel,
    groups: report.cases.map(({ benchCase }) => benchCase.name),
    series,
    logScale: false,
  };
}

function chartTitle<K extends string, C extends BenchCase>(report: ScenarioReport<K, C>, what: string): string {
  return `${report.scenario.name} (${localDate(report.startedAt)}): ${what}`;
}

function latencyChart<K extends string, C extends BenchCase>(report: ScenarioReport<K, C>): BarChart | undefined {
  const names = [...new Set(report.cases.flatMap(({ runs }) => runs.flatMap((r) => Object.keys(r.histograms))))];
  const groups: string[] = [];
  const valuesByPercentile: number[][] = CHART_PERCENTILES.map(() => []);
  for (const { benchCase, runs } of report.cases) {
    for (const name of names) {
      const merged = mergeHistograms(runs.flatMap((r) => r.histograms[name] ?? []));
      if (merged.totalCount === 0) continue;
      groups.push(names.length > 1 ? `${benchCase.name} · ${name.replace(/(Latency)?Us$/, "")}` : benchCase.name);
      CHART_PERCENTILES.forEach(({ percentile }, i) =>
        valuesByPercentile[i]!.push(
          (percentile === 100 ? merged.maxValue : merged.getValueAtPercentile(percentile)) / 1000,
        ),
      );
    }
  }
  if (groups.length === 0) return undefined;
  return {
    title: chartTitle(report, "latency percentiles"),
    subtitle: `every run of a case merged (${report.scenario.runs} run(s)); log scale`,
    valueAxisLabel: "latency (ms, log scale)",
    groups,
    series: CHART_PERCENTILES.map(({ name }, i) => ({ name, values: valuesByPercentile[i]! })),
    logScale: true,
  };
}

function throughputChart<K extends string, C extends BenchCase>(report: ScenarioReport<K, C>): BarChart | undefined {
  const chosen = report.scenario.throughputChart;
  const columns = chosen
    ? report.scenario.columns.filter((c) => chosen.columns.includes(c.key))
    : report.scenario.columns.filter((c) => /records\/s$/.test(c.label) && !c.label.includes("÷"));
  const series = columns.map((c) => ({ name: c.label, values: report.cases.map(({ median }) => median[c.key]) }));
  if (!series.some((s) => s.values.some((v) => Number.isFinite(v)))) return undefined;
  return {
    title: chartTitle(report, "throughput"),
    subtitle: `median over ${report.scenario.runs} run(s) per case`,
    valueAxisLabel: chosen?.valueAxisLabel ?? "records/s",
    groups: report.cases.map(({ benchCase }) => benchCase.name),
    series,
    logScale: false,
  };
}

function table<K extends string, C extends BenchCase>(report: ScenarioReport<K, C>): string[] {
  const { columns } = report.scenario;
  const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  const lines = [
    row(["case", "run", ...columns.map((c) => c.label)]),
    row(["---", "---", ...columns.map(() => "---:")]),
  ];
  for (const { benchCase, runs, median } of report.cases) {
    for (const run of runs)
      lines.push(
        row([benchCase.name, String(run.run), ...columns.map((c) => formatNumber(run.figures[c.key], c.digits))]),
      );
    if (runs.length > 1)
      lines.push(
        row([benchCase.name, "**median**", ...columns.map((c) => `**${formatNumber(median[c.key], c.digits)}**`)]),
      );
  }
  return lines;
}

function noteLines<K extends string, C extends BenchCase>(cases: readonly CaseReport<K, C>[]): string[] {
  const lines = cases.flatMap(({ benchCase, runs }) =>
    runs.flatMap(({ run, notes }) => (notes ?? []).map((note) => `- ${benchCase.name}, run ${run}: ${note}`)),
  );
  return lines.length > 0 ? ["", "Notes:", ...lines] : [];
}

function failureLines<K extends string, C extends BenchCase>(cases: readonly CaseReport<K, C>[]): string[] {
  const lines: string[] = [];
  for (const { benchCase, runs } of cases) {
    for (const { run, errors } of runs) {
      const listed = Object.entries(errors).map(([name, count]) => `${name} × ${count}`);
      if (listed.length > 0) lines.push(`- ${benchCase.name}, run ${run}: ${listed.join(", ")}`);
    }
  }
  return lines.length > 0 ? ["", "Failures (within the window):", ...lines] : [];
}

function formatNumber(value: number, digits: number): string {
  if (!Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function localDate(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

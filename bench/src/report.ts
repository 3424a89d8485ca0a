import { mkdir, writeFile } from "node:fs/promises";
import { arch, cpus, loadavg, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** Writes `<root>/<YYYY-MM-DD>-<resultsName or name>/`: result.json, result.md and raw/ (histograms, git-ignored). */
export async function writeReport<K extends string, C extends BenchCase>(
  report: ScenarioReport<K, C>,
  machine: MachineInfo,
  rootDir: string = DEFAULT_RESULTS_DIR,
): Promise<WrittenReport> {
  const dir = join(rootDir, `${localDate(report.startedAt)}-${report.scenario.resultsName ?? report.scenario.name}`);
  await mkdir(join(dir, "raw"), { recursive: true });
  const markdown = toMarkdown(report, machine);
  await writeFile(join(dir, "result.json"), JSON.stringify(toJson(report, machine), null, 2) + "\n");
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
  ];
  return lines.join("\n") + "\n";
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

import { runBounded } from "./bounded.js";
import type { BenchCase, Column, Scenario } from "./scenario.js";

export interface RunRecord<K extends string> {
  /** 1-based. */
  readonly run: number;
  readonly figures: Record<K, number>;
  readonly errors: Readonly<Record<string, number>>;
  readonly histograms: Readonly<Record<string, string>>;
}

export interface CaseReport<K extends string> {
  readonly benchCase: BenchCase;
  readonly runs: readonly RunRecord<K>[];
  /** Per figure, the median over the runs (NaN where no run had the figure). */
  readonly median: Record<K, number>;
}

export interface ScenarioReport<K extends string> {
  readonly scenario: Scenario<K>;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly cases: readonly CaseReport<K>[];
}

/**
 * Runs every case `scenario.runs` times, each run bounded by `scenario.runTimeoutMs` and on a fresh broker.
 * The cases are interleaved (run 1 of each case, then run 2 of each...) so that a noisy neighbour slows
 * all cases alike rather than one case's every run. The first failed run fails the scenario.
 */
export async function runScenario<K extends string>(scenario: Scenario<K>): Promise<ScenarioReport<K>> {
  const startedAt = new Date();
  const runsByCase = new Map<BenchCase, RunRecord<K>[]>(scenario.cases.map((c) => [c, []]));
  for (let run = 1; run <= scenario.runs; run++) {
    for (const benchCase of scenario.cases) {
      const label = `${scenario.name} ${benchCase.name} run ${run}/${scenario.runs}`;
      const outcome = await runBounded(label, scenario.runTimeoutMs, (cleanups) =>
        scenario.runOnce(benchCase, label, cleanups),
      );
      runsByCase.get(benchCase)!.push({ run, ...outcome });
    }
  }
  const cases = scenario.cases.map((benchCase) => {
    const runs = runsByCase.get(benchCase)!;
    return { benchCase, runs, median: medianFigures(scenario.columns, runs) };
  });
  return { scenario, startedAt, finishedAt: new Date(), cases };
}

function medianFigures<K extends string>(
  columns: readonly Column<K>[],
  runs: readonly RunRecord<K>[],
): Record<K, number> {
  const entries = columns.map((column) => [column.key, median(runs.map((r) => r.figures[column.key]))] as const);
  return Object.fromEntries(entries) as Record<K, number>;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

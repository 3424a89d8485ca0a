import { runBounded } from "./bounded.js";
import type { BenchCase, Column, RunContext, Scenario } from "./scenario.js";

/** The scenario-wide bound is a backstop on top of the runs' own: the set-up and clean-up around them. */
const SCENARIO_OVERHEAD_BOUND_MS = 60_000;

export interface RunRecord<K extends string> {
  /** 1-based. */
  readonly run: number;
  readonly figures: Record<K, number>;
  readonly errors: Readonly<Record<string, number>>;
  readonly histograms: Readonly<Record<string, string>>;
  readonly notes?: readonly string[];
  readonly raw?: Readonly<Record<string, unknown>>;
}

export interface CaseReport<K extends string, C extends BenchCase = BenchCase> {
  readonly benchCase: C;
  readonly runs: readonly RunRecord<K>[];
  /** Per figure, the median over the runs (NaN where no run had the figure). */
  readonly median: Record<K, number>;
}

export interface ScenarioReport<K extends string, C extends BenchCase = BenchCase> {
  readonly scenario: Scenario<K, C>;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly cases: readonly CaseReport<K, C>[];
}

/**
 * Runs every case `scenario.runs` times, each run bounded by `scenario.runTimeoutMs` and on a fresh broker.
 * The cases are interleaved (run 1 of each case, then run 2 of each...) so that a noisy neighbour slows
 * all cases alike rather than one case's every run. The first failed run fails the scenario. What a
 * scenario keeps across runs is cleaned up when the scenario ends (bounded as a whole, as a backstop).
 */
export async function runScenario<K extends string, C extends BenchCase>(
  scenario: Scenario<K, C>,
): Promise<ScenarioReport<K, C>> {
  const startedAt = new Date();
  const runsByCase = new Map<C, RunRecord<K>[]>(scenario.cases.map((c) => [c, []]));
  const boundMs = scenario.runs * scenario.cases.length * scenario.runTimeoutMs + SCENARIO_OVERHEAD_BOUND_MS;
  await runBounded(scenario.name, boundMs, async (scenarioCleanups) => {
    for (let run = 1; run <= scenario.runs; run++) {
      const context: RunContext<K> = {
        run,
        scenarioCleanups,
        figuresOf: (caseName) => {
          const earlier = scenario.cases.find((c) => c.name === caseName);
          return earlier ? runsByCase.get(earlier)!.find((r) => r.run === run)?.figures : undefined;
        },
      };
      for (const benchCase of scenario.cases) {
        const label = `${scenario.name} ${benchCase.name} run ${run}/${scenario.runs}`;
        const outcome = await runBounded(label, scenario.runTimeoutMs, (cleanups) =>
          scenario.runOnce(benchCase, label, cleanups, context),
        );
        runsByCase.get(benchCase)!.push({ run, ...outcome });
      }
    }
  });
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

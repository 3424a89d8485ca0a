import type { Cleanups } from "./bounded.js";

export const SCENARIO_NAMES = ["put", "put-latency", "e2e"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** One column of the report: a figure of every run. */
export interface Column<K extends string> {
  readonly key: K;
  /** Header text, with the unit. */
  readonly label: string;
  /** Decimal places shown (result.json keeps full precision). */
  readonly digits: number;
}

/** What varies between the rows of one scenario (for now, the shard count). */
export interface BenchCase {
  readonly name: string;
  readonly shardCount: number;
}

export interface RunOutcome<K extends string> {
  readonly figures: Record<K, number>;
  /** Failures by Kinesis error name, all workers together. */
  readonly errors: Readonly<Record<string, number>>;
  /** Merged latency histograms (HdrHistogram, compressed base64, µs), for raw/. */
  readonly histograms: Readonly<Record<string, string>>;
}

export interface Scenario<K extends string> {
  readonly name: ScenarioName;
  /**
   * The results directory is `<date>-<resultsName>` (default: `name`); a setting that changes what is
   * measured gets a name of its own, so that its run does not replace the plain run of the same day.
   */
  readonly resultsName?: string;
  /** One sentence for the report: what was measured. */
  readonly summary: string;
  /** Exactly what was run, for result.json. */
  readonly settings: object;
  readonly columns: readonly Column<K>[];
  readonly cases: readonly BenchCase[];
  readonly runs: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Hard bound of one run, broker start to clean-up; exceeding it kills everything and fails. */
  readonly runTimeoutMs: number;
  runOnce(benchCase: BenchCase, label: string, cleanups: Cleanups): Promise<RunOutcome<K>>;
}

export function shardCases(shardCounts: readonly number[]): BenchCase[] {
  return shardCounts.map((shardCount) => ({ name: `${shardCount} shard${shardCount === 1 ? "" : "s"}`, shardCount }));
}

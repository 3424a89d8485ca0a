import type { Cleanups } from "./bounded.js";
import type { CaseReport } from "./runner.js";

export const SCENARIO_NAMES = [
  "put",
  "put-latency",
  "e2e",
  "replication",
  "failover",
  "producer",
  "application",
  "kinesis-peers",
  "limits",
  "fanout",
  "capacity",
  "peers",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** One column of the report: a figure of every run. */
export interface Column<K extends string> {
  readonly key: K;
  /** Header text, with the unit. */
  readonly label: string;
  /** Decimal places shown (result.json keeps full precision). */
  readonly digits: number;
}

/** What varies between the rows of one scenario: the shard count, and whatever a scenario adds to it. */
export interface BenchCase {
  readonly name: string;
  readonly shardCount: number;
}

/** What a run may know besides its case. */
export interface RunContext<K extends string> {
  /** 1-based. */
  readonly run: number;
  /**
   * Clean-ups of what lives across runs (the failover scenario's cluster): they run when the scenario ends,
   * however it ends, and on Ctrl-C.
   */
  readonly scenarioCleanups: Cleanups;
  /**
   * The figures of an earlier case of this same run (within a run the cases go in order), by case name, so
   * that a case can be set or compared relative to another measured minutes apart at most.
   */
  figuresOf(caseName: string): Record<K, number> | undefined;
}

export interface RunOutcome<K extends string> {
  readonly figures: Record<K, number>;
  /** Failures by Kinesis error name, all workers together. */
  readonly errors: Readonly<Record<string, number>>;
  /** Merged latency histograms (HdrHistogram, compressed base64, µs), for raw/. */
  readonly histograms: Readonly<Record<string, string>>;
  /** What a number cannot say about the run (which broker was killed...), listed under the table. */
  readonly notes?: readonly string[];
  /** More detail for raw/ (the failover timeline), next to the histograms. */
  readonly raw?: Readonly<Record<string, unknown>>;
}

export interface Scenario<K extends string, C extends BenchCase = BenchCase> {
  readonly name: ScenarioName;
  /**
   * The results directory is `<date>-<resultsName>` (default: `name`); a setting that changes what is
   * measured gets a name of its own, so that its run does not replace the plain run of the same day.
   */
  readonly resultsName?: string;
  /** One sentence for the report: what was measured. */
  readonly summary: string;
  /** What one run is, for the report, when not "fresh broker, warm-up w s, measured window d s". */
  readonly runDescription?: string;
  /** Exactly what was run, for result.json. */
  readonly settings: object;
  readonly columns: readonly Column<K>[];
  readonly cases: readonly C[];
  readonly runs: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Hard bound of one run, broker start to clean-up; exceeding it kills everything and fails. */
  readonly runTimeoutMs: number;
  runOnce(benchCase: C, label: string, cleanups: Cleanups, context: RunContext<K>): Promise<RunOutcome<K>>;
  /**
   * What throughput.svg shows, when not every "… records/s" column: the columns (their medians) and the
   * value axis' label (limits charts accepted ÷ limit).
   */
  readonly throughputChart?: { readonly columns: readonly K[]; readonly valueAxisLabel: string };
  /** One more chart, of figures that are neither latencies nor rates (failover's recovery times): their medians. */
  readonly figuresChart?: FiguresChart<K>;
  /**
   * For a scenario that checks as well as measures (limits): what is off, one sentence each, from the
   * finished report. Anything listed makes the command exit non-zero, after the report is written.
   */
  check?(cases: readonly CaseReport<K, C>[]): string[];
}

export function shardCases(shardCounts: readonly number[]): BenchCase[] {
  return shardCounts.map((shardCount) => ({ name: `${shardCount} shard${shardCount === 1 ? "" : "s"}`, shardCount }));
}

export interface FiguresChart<K extends string> {
  /** e.g. `recovery.svg`. */
  readonly fileName: string;
  /** The title's end: `<scenario> (<date>): <what>`. */
  readonly what: string;
  readonly columns: readonly K[];
  readonly valueAxisLabel: string;
}

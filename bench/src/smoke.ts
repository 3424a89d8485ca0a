/**
 * `npm run bench -- smoke [scenario...]`: every scenario (or the ones named) once, with tiny settings (one
 * run, windows of about a second, the smallest cases), results written to a temporary directory, then each
 * result.json read back and checked for figures that say the scenario really ran. It keeps the scenarios
 * working (CI runs it after the tests); its figures mean nothing and are thrown away.
 */
import { PRODUCER_DEFAULTS } from "@eddy/client";
import type { ScenarioName } from "./scenario.js";

/** What the smoke check reads back of a result.json (see report.ts `toJson`). */
export interface SmokeResult {
  readonly settings: Readonly<Record<string, unknown>>;
  readonly cases: readonly {
    readonly case: { readonly name: string } & Readonly<Record<string, unknown>>;
    /** null where a figure had no samples. */
    readonly median: Readonly<Record<string, number | null>>;
  }[];
}

export interface SmokeVerdict {
  /** What is wrong, one sentence each; empty when the scenario passed. */
  readonly problems: string[];
  /** What was left out and why (a peer that is not installed): said, not failed. */
  readonly notes: string[];
}

export interface SmokePlan {
  /** Command-line options for the scenario (as after `npm run bench -- <scenario>`). */
  readonly args: readonly string[];
  check(result: SmokeResult): SmokeVerdict;
}

/** The window of most smoke runs, seconds. */
const QUICK_WINDOW_S = 1.5;
/** Settings every smoke run shares: one run, a short warm-up and window. */
const QUICK = ["--runs", "1", "--warmup", "0.5", "--duration", String(QUICK_WINDOW_S)];

/** Per scenario, in SCENARIO_NAMES order: the tiny settings and what its result must show. */
export const SMOKE_PLANS: Readonly<Record<ScenarioName, SmokePlan>> = {
  put: {
    args: [...QUICK, "--shards", "1", "--producers", "1", "--concurrency", "2"],
    check: (r) => verdict(everyCase(r, positive("recordsPerSec"), positive("p99Ms"))),
  },
  "put-latency": {
    args: [...QUICK, "--shards", "1", "--producers", "1", "--rate", "500"],
    check: (r) => verdict(everyCase(r, positive("achievedRecordsPerSec"), positive("p99Ms"))),
  },
  e2e: {
    args: [...QUICK, "--shards", "2", "--rate", "500"],
    check: (r) =>
      verdict(
        everyCase(
          r,
          positive("achievedRecordsPerSec"),
          positive("subscribeDelivered"),
          zero("subscribeMissing"),
          positive("subscribeP99Ms"),
          positive("pollDelivered"),
          zero("pollMissing"),
          positive("pollP99Ms"),
          // The polling consumer keeps to Kinesis's 5 calls/s per shard; calls are counted by when they start,
          // so a short window can hold one more than 5 × its length.
          atMost("pollCallsPerSecPerShard", 5 + 1 / QUICK_WINDOW_S),
        ),
      ),
  },
  replication: {
    args: [...QUICK, "--shards", "1", "--producers", "1", "--concurrency", "2"],
    check: (r) => verdict(everyCase(r, positive("recordsPerSec"))),
  },
  failover: {
    // The window runs from the kill: long enough for a new leader and a stretch of steady puts.
    args: ["--runs", "1", "--warmup", "1", "--duration", "4", "--rate", "200"],
    check: (r) => verdict(everyCase(r, positive("firstOkMs"), positive("steadyMs"), positive("rejoinMs"))),
  },
  producer: {
    args: [
      ...QUICK,
      "--shards",
      "1",
      "--rate",
      "1000",
      "--batch-max",
      String(PRODUCER_DEFAULTS.batchRecordsMax),
      "--linger",
      String(PRODUCER_DEFAULTS.lingerMs),
    ],
    check: (r) => verdict(everyCase(r, positive("recordsPerSec"), zero("failedRecords"))),
  },
  application: {
    args: [
      ...QUICK,
      "--shards",
      "2",
      "--workers",
      "2",
      "--records",
      "2000",
      "--rate",
      "500",
      "--lease-timeout",
      "1000",
    ],
    check: (r) =>
      verdict(
        eachCase(r, (c) => {
          const name = c.case.name;
          if (name.includes("backlog")) return inCase(c, positive("recordsPerSec"), positive("processedRecords"));
          if (name.includes("takeover")) return inCase(c, positive("takeoverMaxMs"));
          return inCase(c, positive("p99Ms"), zero("missingRecords"));
        }),
      ),
  },
  "kinesis-peers": {
    args: [...QUICK, "--shards", "1", "--producers", "1", "--concurrency", "2", "--readers", "1"],
    check: (r) =>
      verdict(
        everyCase(r, positive("putRecordsPerSec"), positive("readRecordsPerSec"), zero("unreadRecords")),
        r.cases.some((c) => c.case.name.includes("kinesalite")) ? [] : ["kinesalite did not run: Eddy measured alone"],
      ),
  },
  limits: {
    // Too short a window to hold each limit within 5 % (a shard's burst allowance weighs on 1.5 s), so the
    // smoke run asks only that every limit was enforced: the shard accepted some of the load, never much
    // more than the limit, and refused the rest.
    args: [...QUICK],
    check: (r) =>
      verdict(
        eachCase(r, (c) =>
          inCase(
            c,
            positive("acceptedVsLimit"),
            atMost("acceptedVsLimit", 1.5),
            // A subscriber is paced by the broker, not refused.
            ...(c.case.limit === "subscriberBytes" ? [] : [positive("throttledPerSec")]),
          ),
        ),
      ),
  },
  fanout: {
    args: [...QUICK, "--shards", "2", "--applications", "2", "--rate", "500"],
    check: (r) => verdict(everyCase(r, positive("appRecordsPerSecMin"), positive("p99Ms"), zero("missingRecords"))),
  },
  capacity: {
    args: ["--warmup", "0.5", "--duration", "1", "--sizes", "1024", "--shards", "1", "--steps", "2"],
    // Whether a step held depends on the machine's load; that the ramp ran and measured is what counts here.
    check: (r) =>
      verdict(
        everyCase(r, positive("stepsRun"), (m) =>
          (m.recordsPerSec ?? 0) > 0 || (m.brokenRecordsPerSec ?? 0) > 0
            ? undefined
            : "neither a held nor a broken step acknowledged any record",
        ),
      ),
  },
  peers: {
    args: [...QUICK, "--shards", "1", "--producers", "1", "--concurrency", "2"],
    check: (r) => {
      const nats = r.settings.nats as { skipped?: string } | undefined;
      return verdict(
        everyCase(r, positive("recordsPerSec"), zero("failedCalls")),
        nats?.skipped ? [`NATS JetStream skipped: ${nats.skipped}`] : [],
      );
    },
  },
};

type Median = SmokeResult["cases"][number]["median"];
/** undefined when the figure is fine, else what is wrong with it. */
type FigureCheck = (median: Median) => string | undefined;

function positive(key: string): FigureCheck {
  return (m) => {
    const value = m[key];
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? undefined : `${key} is ${value}, not > 0`;
  };
}

function zero(key: string): FigureCheck {
  return (m) => (m[key] === 0 ? undefined : `${key} is ${m[key]}, not 0`);
}

function atMost(key: string, max: number): FigureCheck {
  return (m) => {
    const value = m[key];
    return typeof value === "number" && value <= max ? undefined : `${key} is ${value}, over ${max}`;
  };
}

function inCase(c: SmokeResult["cases"][number], ...checks: FigureCheck[]): string[] {
  return checks.flatMap((check) => check(c.median) ?? []).map((problem) => `${c.case.name}: ${problem}`);
}

function everyCase(result: SmokeResult, ...checks: FigureCheck[]): string[] {
  return eachCase(result, (c) => inCase(c, ...checks));
}

/** The problems `check` finds in each case; a result without a case is a problem of its own. */
function eachCase(result: SmokeResult, check: (c: SmokeResult["cases"][number]) => string[]): string[] {
  if (result.cases.length === 0) return ["no case in the result"];
  return result.cases.flatMap(check);
}

function verdict(problems: string[], notes: string[] = []): SmokeVerdict {
  return { problems, notes };
}

/**
 * The batch runner against scripted processors. Records are the numbers 0..n-1, so that a trace can show
 * a sub-batch as a range; sleep and random are fakes, and only the attempt-timeout tests use (fake)
 * timers.
 */
import { getEventListeners } from "node:events";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AssertionError, KinesisError, resourceNotFound } from "@eddy/core";
import {
  AttemptTimeoutError,
  DEFAULT_FAILURE_POLICY,
  FAILURE_POLICY_LIMITS,
  backoffDelayMs,
  resolveFailurePolicy,
  runBatch,
  sleepUnlessAborted,
  type BatchRunnerHooks,
  type FailurePolicy,
} from "./batch-runner.js";

class PoisonError extends Error {
  override readonly name = "PoisonError";
}

interface Script {
  /** The error an attempt at `records` fails with (`attemptNo` counts every attempt of the run), or none. */
  fail?(records: readonly number[], attemptNo: number): Error | undefined;
  exhausted?(records: readonly number[], error: unknown): Promise<"continue" | "halt">;
  random?(): number;
  sleep?(ms: number): void;
}

/** Hooks that follow `script` and record what the runner did. */
function harness(script: Script = {}) {
  const trace: string[] = [];
  /** The records of successful attempts, in the order they succeeded. */
  const processed: number[] = [];
  const exhausted: { records: number[]; error: unknown; attempts: number }[] = [];
  const delaysMs: number[] = [];
  let attemptNo = 0;
  const hooks: BatchRunnerHooks<number> = {
    attempt(records) {
      attemptNo++;
      const error = script.fail?.(records, attemptNo);
      trace.push(`attempt ${label(records)}: ${error === undefined ? "ok" : "fails"}`);
      if (error !== undefined) return Promise.reject(error);
      processed.push(...records);
      return Promise.resolve();
    },
    sleep(ms) {
      delaysMs.push(ms);
      trace.push(`sleep ${ms} ms`);
      script.sleep?.(ms);
      return Promise.resolve();
    },
    random: () => script.random?.() ?? 0.5,
    retrying(records, failedAttempts, _error, delayMs) {
      trace.push(`retry ${label(records)} after ${failedAttempts} failed, in ${delayMs} ms`);
    },
    exhausted(records, error, attempts) {
      trace.push(`exhausted ${label(records)} after ${attempts} attempts`);
      exhausted.push({ records: [...records], error, attempts });
      return script.exhausted?.(records, error) ?? Promise.resolve("continue");
    },
  };
  return { hooks, trace, processed, exhausted, delaysMs, attempts: () => attemptNo };
}

/** "[3]" for one record, "[0..9]" for a run of consecutive ones. */
function label(records: readonly number[]): string {
  const first = records[0];
  const last = records[records.length - 1];
  const consecutive = records.every((r, i) => r === first! + i);
  if (records.length === 1) return `[${first}]`;
  return consecutive ? `[${first}..${last}]` : `[${records.join(",")}]`;
}

function range(count: number, from = 0): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Fails any attempt whose batch holds one of `poison`. */
function poisoned(...poison: number[]): Script["fail"] {
  const set = new Set(poison);
  return (records) => {
    const bad = records.find((r) => set.has(r));
    return bad === undefined ? undefined : new PoisonError(`record ${bad} is poison`);
  };
}

function policy(overrides: Partial<FailurePolicy> = {}): FailurePolicy {
  return resolveFailurePolicy({ backoffBaseMs: 100, backoffMaxMs: 10_000, ...overrides });
}

const running = () => new AbortController().signal;

describe("runBatch: attempts and retries", () => {
  it("an empty batch is processed at once, without calling any hook", async () => {
    const h = harness();
    expect(await runBatch([], policy(), h.hooks, running())).toEqual({ kind: "processed", failedRecords: 0 });
    expect(h.trace).toEqual([]);
  });

  it("success on the first attempt: one attempt, no backoff, nothing exhausted", async () => {
    const h = harness();
    const outcome = await runBatch(range(10), policy(), h.hooks, running());
    expect(outcome).toEqual({ kind: "processed", failedRecords: 0 });
    expect(h.trace).toEqual(["attempt [0..9]: ok"]);
  });

  it("two failures then success: retried after full-jitter backoffs, each failure reported", async () => {
    const randoms = [0.5, 0.25];
    const h = harness({
      fail: (_, n) => (n <= 2 ? new Error(`transient ${n}`) : undefined),
      random: () => randoms.shift()!,
    });
    const outcome = await runBatch(range(5), policy({ maxAttempts: 3 }), h.hooks, running());
    expect(outcome).toEqual({ kind: "processed", failedRecords: 0 });
    expect(h.trace).toEqual([
      "attempt [0..4]: fails",
      "retry [0..4] after 1 failed, in 50 ms", // 0.5 × min(10000, 100 × 2^0)
      "sleep 50 ms",
      "attempt [0..4]: fails",
      "retry [0..4] after 2 failed, in 50 ms", // 0.25 × min(10000, 100 × 2^1)
      "sleep 50 ms",
      "attempt [0..4]: ok",
    ]);
    expect(h.processed).toEqual(range(5));
  });

  it("backoff delays stay within min(backoffMaxMs, backoffBaseMs × 2^(n-1)) as failures mount", async () => {
    const p = policy({ maxAttempts: 12, backoffBaseMs: 100, backoffMaxMs: 5_000, bisectOnFailure: false });
    const h = harness({ fail: () => new Error("down"), random: () => 0.999 });
    await runBatch(range(3), p, h.hooks, running());
    expect(h.delaysMs).toHaveLength(11);
    h.delaysMs.forEach((delayMs, i) => {
      const ceilingMs = Math.min(5_000, 100 * 2 ** i);
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThanOrEqual(ceilingMs);
      expect(delayMs).toBeGreaterThan(ceilingMs * 0.99); // random ≈ 1: the ceiling itself
    });
  });

  it("a processor that throws synchronously fails the attempt like a rejection", async () => {
    const h = harness();
    h.hooks.attempt = () => {
      throw new PoisonError("sync");
    };
    const outcome = await runBatch([1], policy({ maxAttempts: 2 }), h.hooks, running());
    expect(outcome).toEqual({ kind: "processed", failedRecords: 1 });
    expect(h.exhausted).toEqual([{ records: [1], error: new PoisonError("sync"), attempts: 2 }]);
  });

  it("a policy that did not come through resolveFailurePolicy is refused as a bug", async () => {
    const broken = { ...DEFAULT_FAILURE_POLICY, maxAttempts: 0 };
    await expect(runBatch([1], broken, harness().hooks, running())).rejects.toThrow(AssertionError);
  });
});

describe("runBatch: bisection finds poison records", () => {
  it("script: [0..3] with poison 1, maxAttempts 2 — each sub-batch gets its own attempts, left before right", async () => {
    const h = harness({ fail: poisoned(1), random: () => 0 });
    const outcome = await runBatch(range(4), policy({ maxAttempts: 2 }), h.hooks, running());
    expect(h.trace).toEqual([
      "attempt [0..3]: fails",
      "retry [0..3] after 1 failed, in 0 ms",
      "sleep 0 ms",
      "attempt [0..3]: fails",
      "attempt [0..1]: fails",
      "retry [0..1] after 1 failed, in 0 ms",
      "sleep 0 ms",
      "attempt [0..1]: fails",
      "attempt [0]: ok",
      "attempt [1]: fails",
      "retry [1] after 1 failed, in 0 ms",
      "sleep 0 ms",
      "attempt [1]: fails",
      "exhausted [1] after 2 attempts",
      "attempt [2..3]: ok",
    ]);
    expect(outcome).toEqual({ kind: "processed", failedRecords: 1 });
  });

  it("one poison record in 100: only it is exhausted; the other 99 are processed once each, in order", async () => {
    const h = harness({ fail: poisoned(37) });
    const outcome = await runBatch(range(100), policy(), h.hooks, running());
    expect(outcome).toEqual({ kind: "processed", failedRecords: 1 });
    expect(h.exhausted).toEqual([{ records: [37], error: new PoisonError("record 37 is poison"), attempts: 3 }]);
    expect(h.processed).toEqual(range(100).filter((r) => r !== 37));
    // One failing sub-batch per level of the bisection, three attempts each.
    const failing = h.trace
      .filter((line) => line.endsWith("fails"))
      .map((line) => line.split(" ")[1]?.replace(":", ""));
    expect(failing).toEqual(
      ["[0..99]", "[0..49]", "[25..49]", "[37..49]", "[37..42]", "[37..39]", "[37]"].flatMap((b) => [b, b, b]),
    );
  });

  it("two poison records: both exhausted in order, everything else processed once, in order", async () => {
    const h = harness({ fail: poisoned(12, 80) });
    const outcome = await runBatch(range(100), policy(), h.hooks, running());
    expect(outcome).toEqual({ kind: "processed", failedRecords: 2 });
    expect(h.exhausted.map((e) => e.records)).toEqual([[12], [80]]);
    expect(h.processed).toEqual(range(100).filter((r) => r !== 12 && r !== 80));
  });

  it("property: for any batch and poison set, exactly the poison is exhausted and the rest processed in order", async () => {
    const scenario = fc.integer({ min: 1, max: 64 }).chain((size) =>
      fc.record({
        size: fc.constant(size),
        poison: fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { maxLength: size }),
        maxAttempts: fc.integer({ min: 1, max: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ size, poison, maxAttempts }) => {
        const h = harness({ fail: poisoned(...poison) });
        const outcome = await runBatch(range(size), policy({ maxAttempts }), h.hooks, running());
        const poisonSet = new Set(poison);
        expect(outcome).toEqual({ kind: "processed", failedRecords: poisonSet.size });
        expect(h.exhausted.map((e) => e.records)).toEqual([...poisonSet].sort((a, b) => a - b).map((r) => [r]));
        expect(h.processed).toEqual(range(size).filter((r) => !poisonSet.has(r)));
        expect(h.attempts()).toBeLessThanOrEqual((2 * size - 1) * maxAttempts);
      }),
    );
  });

  it("bisection off: the whole batch is exhausted after maxAttempts", async () => {
    const h = harness({ fail: poisoned(37) });
    const outcome = await runBatch(range(100), policy({ bisectOnFailure: false }), h.hooks, running());
    expect(outcome).toEqual({ kind: "processed", failedRecords: 100 });
    expect(h.exhausted.map((e) => [e.records, e.attempts])).toEqual([[range(100), 3]]);
    expect(h.processed).toEqual([]);
  });
});

describe("runBatch: halt, and an exhausted hook that fails", () => {
  it("halt: the outcome holds the poison record and everything after it; nothing after it is processed", async () => {
    const h = harness({ fail: poisoned(37), exhausted: () => Promise.resolve("halt") });
    const outcome = await runBatch(range(100), policy(), h.hooks, running());
    expect(outcome).toEqual({
      kind: "halted",
      error: new PoisonError("record 37 is poison"),
      remaining: range(63, 37),
    });
    expect(h.processed).toEqual(range(37));
    expect(h.trace.at(-1)).toBe("exhausted [37] after 3 attempts");
  });

  it("halt with bisection off: the whole batch remains", async () => {
    const h = harness({ fail: poisoned(3), exhausted: () => Promise.resolve("halt") });
    const outcome = await runBatch(range(10), policy({ bisectOnFailure: false }), h.hooks, running());
    expect(outcome).toMatchObject({ kind: "halted", remaining: range(10) });
  });

  it("the exhausted hook rejects (no dead-letter stream): halted with the hook's error, from the poison on", async () => {
    const missing = resourceNotFound("Stream dlq not found.");
    const h = harness({ fail: poisoned(5), exhausted: () => Promise.reject(missing) });
    const outcome = await runBatch(range(8), policy(), h.hooks, running());
    expect(outcome).toEqual({ kind: "halted", error: missing, remaining: range(3, 5) });
    expect(h.processed).toEqual(range(5));
  });

  it("an exhausted hook resolving neither continue nor halt is a bug, not an outcome", async () => {
    const h = harness({ fail: poisoned(0), exhausted: () => Promise.resolve("skip" as "halt") });
    await expect(runBatch([0], policy(), h.hooks, running())).rejects.toThrow(AssertionError);
  });
});

describe("runBatch: attempt timeout", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("an attempt past attemptTimeoutMs fails with AttemptTimeoutError, its signal aborted; the retry succeeds", async () => {
    vi.useFakeTimers();
    const h = harness();
    const signals: AbortSignal[] = [];
    const errors: unknown[] = [];
    h.hooks.attempt = (_, signal) => {
      signals.push(signal);
      // A cooperative processor: the first attempt hangs until its signal aborts; the second is quick.
      if (signals.length > 1) return Promise.resolve();
      return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("stopped"))));
    };
    h.hooks.retrying = (_, __, error) => errors.push(error);
    const outcome = runBatch(range(3), policy({ attemptTimeoutMs: 20 }), h.hooks, running());
    await vi.advanceTimersByTimeAsync(19);
    expect(signals[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toEqual({ kind: "processed", failedRecords: 0 });
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBeInstanceOf(AttemptTimeoutError);
    expect(signals[1]?.aborted).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(AttemptTimeoutError);
    expect((errors[0] as Error).message).toMatch(/attemptTimeoutMs \(20 ms\)/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a processor that ignores its signal and rejects late cannot stall the shard; the late rejection is absorbed", async () => {
    vi.useFakeTimers();
    const h = harness();
    let lateRejections = 0;
    h.hooks.attempt = () =>
      new Promise((_, reject) => {
        setTimeout(() => {
          lateRejections++;
          reject(new Error("gave up late"));
        }, 1_000);
      });
    const outcome = runBatch([7], policy({ attemptTimeoutMs: 20, maxAttempts: 2 }), h.hooks, running());
    await vi.advanceTimersByTimeAsync(40);
    expect(await outcome).toEqual({ kind: "processed", failedRecords: 1 });
    expect(h.exhausted).toHaveLength(1);
    expect(h.exhausted[0]?.error).toBeInstanceOf(AttemptTimeoutError);
    expect(h.exhausted[0]?.attempts).toBe(2);
    // The two abandoned attempts now reject; vitest fails the test on an unhandled rejection.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lateRejections).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("attempts that finish in time leave no timer and no listener on the run's signal behind", async () => {
    vi.useFakeTimers();
    const h = harness({ fail: poisoned(2) });
    const signal = running();
    await runBatch(range(4), policy({ attemptTimeoutMs: 60_000 }), h.hooks, signal);
    expect(h.attempts()).toBeGreaterThan(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });
});

describe("runBatch: abort", () => {
  it("a signal already aborted: no attempt", async () => {
    const h = harness();
    const controller = new AbortController();
    controller.abort();
    expect(await runBatch(range(3), policy(), h.hooks, controller.signal)).toEqual({ kind: "aborted" });
    expect(h.trace).toEqual([]);
  });

  it("abort during the backoff: aborted, with no further attempt and nothing exhausted", async () => {
    const controller = new AbortController();
    const h = harness({ fail: () => new Error("down"), sleep: () => controller.abort() });
    const outcome = await runBatch(range(3), policy(), h.hooks, controller.signal);
    expect(outcome).toEqual({ kind: "aborted" });
    expect(h.trace).toEqual(["attempt [0..2]: fails", "retry [0..2] after 1 failed, in 50 ms", "sleep 50 ms"]);
  });

  it("abort during an attempt whose processor ignores it: aborted at once, the attempt's signal aborted", async () => {
    const controller = new AbortController();
    const h = harness();
    let attemptSignal: AbortSignal | undefined;
    h.hooks.attempt = (_, signal) => {
      attemptSignal = signal;
      queueMicrotask(() => controller.abort(new Error("lease lost")));
      return new Promise(() => {});
    };
    const outcome = await runBatch(range(3), policy(), h.hooks, controller.signal);
    expect(outcome).toEqual({ kind: "aborted" });
    expect(attemptSignal?.reason).toEqual(new Error("lease lost"));
    expect(h.exhausted).toEqual([]);
  });

  it("abort while the exhausted hook runs: its answer is discarded and the right half is not started", async () => {
    const controller = new AbortController();
    const h = harness({
      fail: poisoned(0),
      exhausted: () => {
        controller.abort();
        return Promise.resolve("continue");
      },
    });
    const outcome = await runBatch(range(4), policy({ maxAttempts: 1 }), h.hooks, controller.signal);
    expect(outcome).toEqual({ kind: "aborted" });
    expect(h.trace.at(-1)).toBe("exhausted [0] after 1 attempts");
    expect(h.processed).toEqual([]);
  });
});

describe("backoffDelayMs", () => {
  it("is random() × min(backoffMaxMs, backoffBaseMs × 2^(n-1)), rounded", () => {
    const p = policy({ backoffBaseMs: 100, backoffMaxMs: 1_000 });
    expect(backoffDelayMs(p, 1, () => 0.5)).toBe(50);
    expect(backoffDelayMs(p, 3, () => 0.5)).toBe(200);
    expect(backoffDelayMs(p, 5, () => 0.5)).toBe(500); // capped at 1000
    expect(backoffDelayMs(p, 3, () => 0.333)).toBe(133);
  });

  it("property: an integer in [0, min(backoffMaxMs, backoffBaseMs × 2^(n-1))], for any n", () => {
    const L = FAILURE_POLICY_LIMITS;
    const policies = fc.integer({ min: L.backoffMsMin, max: L.backoffMsMax }).chain((baseMs) =>
      fc.record({
        backoffBaseMs: fc.constant(baseMs),
        backoffMaxMs: fc.integer({ min: baseMs, max: L.backoffMsMax }),
      }),
    );
    fc.assert(
      fc.property(
        policies,
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (backoff, failedAttempts, fraction) => {
          const delayMs = backoffDelayMs(policy(backoff), failedAttempts, () => fraction);
          expect(Number.isInteger(delayMs)).toBe(true);
          expect(delayMs).toBeGreaterThanOrEqual(0);
          // Written so that a base of 0 with 2^(n-1) = Infinity gives 0, not NaN.
          const ceilingMs =
            backoff.backoffBaseMs === 0
              ? 0
              : Math.min(backoff.backoffMaxMs, backoff.backoffBaseMs * 2 ** (failedAttempts - 1));
          expect(delayMs).toBeLessThanOrEqual(ceilingMs);
        },
      ),
    );
  });

  it("a random() outside [0, 1] is a bug", () => {
    expect(() => backoffDelayMs(DEFAULT_FAILURE_POLICY, 1, () => 1.5)).toThrow(AssertionError);
  });
});

describe("resolveFailurePolicy", () => {
  it("fills in the defaults", () => {
    expect(resolveFailurePolicy()).toEqual({
      maxAttempts: 3,
      backoffBaseMs: 100,
      backoffMaxMs: 10_000,
      attemptTimeoutMs: 60_000,
      bisectOnFailure: true,
      onFailure: { kind: "halt" },
    });
    expect(
      resolveFailurePolicy({ maxAttempts: 1, onFailure: { kind: "deadLetter", streamName: "orders-dlq" } }),
    ).toEqual({
      ...DEFAULT_FAILURE_POLICY,
      maxAttempts: 1,
      onFailure: { kind: "deadLetter", streamName: "orders-dlq" },
    });
  });

  it.each([
    [{ maxAttempts: 0 }, "'maxAttempts'", "greater than or equal to 1"],
    [{ maxAttempts: 101 }, "'maxAttempts'", "less than or equal to 100"],
    [{ maxAttempts: 2.5 }, "'maxAttempts'", "integer between 1 and 100"],
    [{ backoffBaseMs: -1 }, "'backoffBaseMs'", "greater than or equal to 0"],
    [{ backoffMaxMs: -1 }, "'backoffMaxMs'", "greater than or equal to 0"],
    [{ backoffBaseMs: 500, backoffMaxMs: 400 }, "'backoffMaxMs'", "greater than or equal to backoffBaseMs (500)"],
    [{ attemptTimeoutMs: 0 }, "'attemptTimeoutMs'", "greater than or equal to 1"],
    [{ attemptTimeoutMs: 3_600_001 }, "'attemptTimeoutMs'", "less than or equal to 3600000"],
    [{ bisectOnFailure: "yes" }, "'bisectOnFailure'", "boolean"],
    [{ onFailure: { kind: "deadLetter" } }, "'onFailure.streamName'", "be given"],
    [
      { onFailure: { kind: "deadLetter", streamName: "" } },
      "'onFailure.streamName'",
      "length greater than or equal to 1",
    ],
    [{ onFailure: { kind: "deadLetter", streamName: "no spaces" } }, "'onFailure.streamName'", "pattern"],
    [{ onFailure: { kind: "retry" } }, "'onFailure.kind'", "deadLetter, skip, halt"],
    [{ maxAttempt: 3 }, "'maxAttempt'", "failure policy's fields"],
  ])("refuses %j, naming %s", (partial, field, limit) => {
    let thrown: unknown;
    try {
      resolveFailurePolicy(partial as Partial<FailurePolicy>);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KinesisError);
    expect((thrown as KinesisError).name).toBe("InvalidArgumentException");
    expect((thrown as KinesisError).message).toContain(field);
    expect((thrown as KinesisError).message).toContain(limit);
  });
});

describe("sleepUnlessAborted", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits ms, or resolves at once when aborted, leaving no timer", async () => {
    vi.useFakeTimers();
    let slept = false;
    void sleepUnlessAborted(100, running()).then(() => (slept = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(slept).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(slept).toBe(true);

    const controller = new AbortController();
    const sleeping = sleepUnlessAborted(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(vi.getTimerCount()).toBe(0);
  });
});

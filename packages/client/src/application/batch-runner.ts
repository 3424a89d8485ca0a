/**
 * The retry-and-failure engine of a consumer application's worker. The worker hands it one batch of
 * records read from a shard and the hooks it needs (the processor, a sleep, a random source, and what to
 * do with records that cannot be processed); the engine runs the batch under the application's
 * `FailurePolicy` and says how it ended, as a value.
 *
 * - A batch whose attempt rejects, or runs past `attemptTimeoutMs`, is tried again after a full-jitter
 *   exponential backoff, up to `maxAttempts` attempts.
 * - A batch that failed every attempt is bisected (like Lambda's BisectBatchOnFunctionError) so that one
 *   poison record does not block its neighbours: each half gets its own `maxAttempts`, the left half is
 *   handled completely (its onFailure included) before the right half starts, and a half that succeeds
 *   is not tried again.
 * - Records that failed every attempt and cannot be split further go to the `exhausted` hook, where the
 *   caller applies `onFailure` (dead-letter, skip or halt). Nothing is dropped without passing there.
 *
 * The engine does no I/O and reads no clock itself: the only timer it sets is the attempt timeout. All
 * waiting goes through the injected `sleep`, so that tests run without real delays.
 *
 * Cost: with bisection every record may end up in its own sub-batch, so a batch of n records takes at
 * most (2n - 1) × maxAttempts attempts; one poison record costs about (2 log2 n + 1) × maxAttempts.
 */
import { assert, constraintViolation, validateIntegerInRange, validateStreamName } from "@eddy/core";

export type FailureAction =
  { readonly kind: "deadLetter"; readonly streamName: string } | { readonly kind: "skip" } | { readonly kind: "halt" };

export interface FailurePolicy {
  /** Attempts per (sub-)batch, 1..FAILURE_POLICY_LIMITS.maxAttemptsMax. */
  readonly maxAttempts: number;
  /** The backoff ceiling before the first retry; it doubles for each further retry. */
  readonly backoffBaseMs: number;
  /** The backoff ceiling never exceeds this; >= backoffBaseMs. */
  readonly backoffMaxMs: number;
  /** An attempt still running after this long counts as failed, and its signal is aborted. */
  readonly attemptTimeoutMs: number;
  /** Split a batch that failed every attempt, to find the records that fail. */
  readonly bisectOnFailure: boolean;
  /** What happens to records that failed every attempt and cannot be split further. */
  readonly onFailure: FailureAction;
}

/** The limits a policy is checked against; each bound is inclusive. */
export const FAILURE_POLICY_LIMITS = {
  maxAttemptsMin: 1,
  /** With bisection a batch may take (2n - 1) × maxAttempts attempts; more than this is a mistake. */
  maxAttemptsMax: 100,
  backoffMsMin: 0,
  /** One hour: a longer pause between attempts is indistinguishable from a stalled shard. */
  backoffMsMax: 3_600_000,
  attemptTimeoutMsMin: 1,
  /** One hour; must stay below the largest delay setTimeout honours. */
  attemptTimeoutMsMax: 3_600_000,
} as const;

/** setTimeout fires at once for a delay above 2^31 - 1 ms, so no limit may exceed it. */
const TIMER_DELAY_MS_MAX = 2 ** 31 - 1;

export const DEFAULT_FAILURE_POLICY: FailurePolicy = Object.freeze({
  maxAttempts: 3,
  backoffBaseMs: 100,
  backoffMaxMs: 10_000,
  attemptTimeoutMs: 60_000,
  bisectOnFailure: true,
  onFailure: Object.freeze({ kind: "halt" }),
});

// How the limits relate, checked once at load: a broken relation is a bug in this file.
assert(FAILURE_POLICY_LIMITS.attemptTimeoutMsMax <= TIMER_DELAY_MS_MAX, "attemptTimeoutMsMax fits a timer");
assert(FAILURE_POLICY_LIMITS.backoffMsMax <= TIMER_DELAY_MS_MAX, "backoffMsMax fits a timer");
assert(FAILURE_POLICY_LIMITS.backoffMsMin >= 0, "backoff is never negative");
assert(FAILURE_POLICY_LIMITS.maxAttemptsMin >= 1, "every batch gets at least one attempt");
assert(
  DEFAULT_FAILURE_POLICY.maxAttempts <= FAILURE_POLICY_LIMITS.maxAttemptsMax &&
    DEFAULT_FAILURE_POLICY.backoffBaseMs <= DEFAULT_FAILURE_POLICY.backoffMaxMs &&
    DEFAULT_FAILURE_POLICY.backoffMaxMs <= FAILURE_POLICY_LIMITS.backoffMsMax &&
    DEFAULT_FAILURE_POLICY.attemptTimeoutMs <= FAILURE_POLICY_LIMITS.attemptTimeoutMsMax,
  "the default failure policy is within its limits",
);

const POLICY_FIELDS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_FAILURE_POLICY));
const ACTION_KINDS: ReadonlySet<string> = new Set(["deadLetter", "skip", "halt"]);

/**
 * Validates a partial policy from the user and fills in the defaults. Throws an InvalidArgumentException
 * that names the field and the limit it broke. The partial may come from a config file, so types are
 * checked at run time too, and an unknown field (a misspelt one, most likely) is refused.
 */
export function resolveFailurePolicy(partial: Partial<FailurePolicy> = {}): FailurePolicy {
  for (const field of Object.keys(partial)) {
    if (!POLICY_FIELDS.has(field)) {
      throw constraintViolation(field, `be one of the failure policy's fields: ${[...POLICY_FIELDS].join(", ")}`);
    }
  }
  const d = DEFAULT_FAILURE_POLICY;
  const L = FAILURE_POLICY_LIMITS;
  const policy: FailurePolicy = {
    maxAttempts: partial.maxAttempts ?? d.maxAttempts,
    backoffBaseMs: partial.backoffBaseMs ?? d.backoffBaseMs,
    backoffMaxMs: partial.backoffMaxMs ?? d.backoffMaxMs,
    attemptTimeoutMs: partial.attemptTimeoutMs ?? d.attemptTimeoutMs,
    bisectOnFailure: partial.bisectOnFailure ?? d.bisectOnFailure,
    onFailure: resolveFailureAction(partial.onFailure ?? d.onFailure),
  };
  validateIntegerInRange(policy.maxAttempts, L.maxAttemptsMin, L.maxAttemptsMax, "maxAttempts");
  validateIntegerInRange(policy.backoffBaseMs, L.backoffMsMin, L.backoffMsMax, "backoffBaseMs");
  validateIntegerInRange(policy.backoffMaxMs, L.backoffMsMin, L.backoffMsMax, "backoffMaxMs");
  if (policy.backoffMaxMs < policy.backoffBaseMs) {
    throw constraintViolation(
      "backoffMaxMs",
      `have value greater than or equal to backoffBaseMs (${policy.backoffBaseMs}), got ${policy.backoffMaxMs}`,
    );
  }
  validateIntegerInRange(policy.attemptTimeoutMs, L.attemptTimeoutMsMin, L.attemptTimeoutMsMax, "attemptTimeoutMs");
  if (typeof policy.bisectOnFailure !== "boolean") throw constraintViolation("bisectOnFailure", "be a boolean");
  return Object.freeze(policy);
}

function resolveFailureAction(action: FailureAction): FailureAction {
  const kind: unknown = (action as { kind?: unknown } | null)?.kind;
  if (typeof kind !== "string" || !ACTION_KINDS.has(kind)) {
    throw constraintViolation("onFailure.kind", `be one of: ${[...ACTION_KINDS].join(", ")}`);
  }
  if (action.kind !== "deadLetter") return Object.freeze({ kind: action.kind });
  if (typeof action.streamName !== "string") {
    throw constraintViolation("onFailure.streamName", "be given (the dead-letter stream) when kind is deadLetter");
  }
  validateStreamName(action.streamName, "onFailure.streamName");
  return Object.freeze({ kind: "deadLetter", streamName: action.streamName });
}

/**
 * The backoff exponent is capped here: 2^52 × any non-zero base already exceeds every allowed
 * backoffMaxMs, and a bigger exponent would only risk Infinity × 0.
 */
const BACKOFF_EXPONENT_MAX = 52;

/**
 * The delay before the retry that follows the `failedAttempts`-th failed attempt (1-based), with "full
 * jitter": random() × min(backoffMaxMs, backoffBaseMs × 2^(failedAttempts - 1)), rounded. Full jitter
 * spreads the retries of many shards that failed together, say on one downstream outage. Pure.
 */
export function backoffDelayMs(policy: FailurePolicy, failedAttempts: number, random: () => number): number {
  assert(Number.isInteger(failedAttempts) && failedAttempts >= 1, `failedAttempts ${failedAttempts} is >= 1`);
  const exponent = Math.min(failedAttempts - 1, BACKOFF_EXPONENT_MAX);
  const ceilingMs = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** exponent);
  const fraction = random();
  assert(fraction >= 0 && fraction <= 1, `random() returned ${fraction}, outside [0, 1]`);
  return Math.round(fraction * ceilingMs);
}

/** The error an attempt fails with when it runs past the policy's attemptTimeoutMs. */
export class AttemptTimeoutError extends Error {
  override readonly name = "AttemptTimeoutError";
  readonly attemptTimeoutMs: number;

  constructor(attemptTimeoutMs: number) {
    super(`the attempt did not finish within attemptTimeoutMs (${attemptTimeoutMs} ms)`);
    this.attemptTimeoutMs = attemptTimeoutMs;
  }
}

export interface BatchRunnerHooks<R> {
  /** One attempt at processing `records`; rejects on failure. `signal` aborts on attempt timeout or when the run is aborted. */
  attempt(records: readonly R[], signal: AbortSignal): Promise<void>;
  /** Waits `ms` (injected so that tests use a fake); must resolve early (not reject) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A number in [0, 1), for the backoff's jitter. */
  random(): number;
  /** Called after each failed attempt that will be retried. */
  retrying?(records: readonly R[], failedAttempts: number, error: unknown, delayMs: number): void;
  /**
   * Records that failed every attempt and cannot be bisected further (one record, or bisection off). The
   * caller applies onFailure: for deadLetter/skip it resolves "continue" once done; for halt "halt". If
   * the hook rejects (e.g. the dead-letter stream is missing), the run ends halted with that error.
   */
  exhausted(records: readonly R[], error: unknown, attempts: number): Promise<"continue" | "halt">;
}

export type BatchOutcome<R> =
  /** Every record was processed, or handled by onFailure; `failedRecords` counts the latter. */
  | { readonly kind: "processed"; readonly failedRecords: number }
  /** `remaining`: the records from the failing one on, unprocessed, in order. */
  | { readonly kind: "halted"; readonly error: unknown; readonly remaining: readonly R[] }
  | { readonly kind: "aborted" };

/**
 * Runs one batch under `policy`. Resolves with the outcome; it rejects only when a hook breaks its
 * contract (`sleep` or `retrying` throws, `exhausted` resolves with something else), which is a bug.
 *
 * When `signal` aborts, the run stops at its next await and resolves `{ kind: "aborted" }`: no further
 * attempt, no `exhausted` call. A running attempt's signal is aborted too, but the run does not wait for
 * the attempt to settle, so a processor that ignores its signal cannot hold up a shutdown; it may still
 * be running when runBatch resolves. `sleep` resolves early by contract. An `exhausted` call already
 * under way is waited for (it is the caller's own code, and may be halfway through a dead-letter put),
 * and its result then discarded.
 */
export async function runBatch<R>(
  records: readonly R[],
  policy: FailurePolicy,
  hooks: BatchRunnerHooks<R>,
  signal: AbortSignal,
): Promise<BatchOutcome<R>> {
  assertPolicyUsable(policy);
  if (records.length === 0) return { kind: "processed", failedRecords: 0 };
  if (signal.aborted) return ABORTED;
  const ended = await runRange({ records, policy, hooks, signal }, 0, records.length);
  switch (ended.kind) {
    case "done":
      return { kind: "processed", failedRecords: ended.failedRecords };
    case "halted":
      return { kind: "halted", error: ended.error, remaining: records.slice(ended.fromIndex) };
    case "aborted":
      return ABORTED;
  }
}

const ABORTED = Object.freeze({ kind: "aborted" as const });

/** What one run shares among its sub-batches. */
interface Run<R> {
  readonly records: readonly R[];
  readonly policy: FailurePolicy;
  readonly hooks: BatchRunnerHooks<R>;
  readonly signal: AbortSignal;
}

/** How the sub-batch records[start, end) ended; `fromIndex` indexes the whole batch. */
type RangeEnd =
  | { readonly kind: "done"; readonly failedRecords: number }
  | { readonly kind: "halted"; readonly error: unknown; readonly fromIndex: number }
  | { readonly kind: "aborted" };

/** Tries records[start, end) by policy; if every attempt fails, bisects it or hands it to `exhausted`. */
async function runRange<R>(run: Run<R>, start: number, end: number): Promise<RangeEnd> {
  assert(start < end && end <= run.records.length, `sub-batch [${start}, ${end}) is non-empty and in the batch`);
  const tried = await attemptWithRetries(run, run.records.slice(start, end));
  if (tried.kind === "succeeded") return { kind: "done", failedRecords: 0 };
  if (tried.kind === "aborted") return ABORTED;
  if (run.policy.bisectOnFailure && end - start > 1) {
    // Left before right, each handled completely, so that records are handled in order.
    const middle = start + Math.floor((end - start) / 2);
    const left = await runRange(run, start, middle);
    if (left.kind !== "done") return left;
    const right = await runRange(run, middle, end);
    if (right.kind !== "done") return right;
    return { kind: "done", failedRecords: left.failedRecords + right.failedRecords };
  }
  return exhaust(run, start, end, tried.error, tried.attempts);
}

/** Hands records[start, end) to the caller's onFailure, through the `exhausted` hook. */
async function exhaust<R>(
  run: Run<R>,
  start: number,
  end: number,
  error: unknown,
  attempts: number,
): Promise<RangeEnd> {
  let decision: "continue" | "halt";
  try {
    decision = await run.hooks.exhausted(run.records.slice(start, end), error, attempts);
  } catch (hookError) {
    if (run.signal.aborted) return ABORTED;
    // The records could not be dead-lettered (or logged): stopping the shard is the only safe way on.
    return { kind: "halted", error: hookError, fromIndex: start };
  }
  if (run.signal.aborted) return ABORTED;
  if (decision === "halt") return { kind: "halted", error, fromIndex: start };
  assert(decision === "continue", `the exhausted hook resolved ${String(decision)}, not "continue" or "halt"`);
  return { kind: "done", failedRecords: end - start };
}

type Tried =
  | { readonly kind: "succeeded" }
  | { readonly kind: "aborted" }
  | { readonly kind: "failed"; readonly error: unknown; readonly attempts: number };

/** Up to maxAttempts attempts at `batch`, with a backoff before each retry. */
async function attemptWithRetries<R>(run: Run<R>, batch: readonly R[]): Promise<Tried> {
  const { policy, hooks, signal } = run;
  for (let attempts = 1; ; attempts++) {
    if (signal.aborted) return ABORTED;
    const attempted = await attemptOnce(run, batch);
    if (signal.aborted) return ABORTED;
    if (attempted.ok) return { kind: "succeeded" };
    if (attempts >= policy.maxAttempts) return { kind: "failed", error: attempted.error, attempts };
    const delayMs = backoffDelayMs(policy, attempts, () => hooks.random());
    hooks.retrying?.(batch, attempts, attempted.error, delayMs);
    await hooks.sleep(delayMs, signal);
  }
}

type Attempted = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * One attempt, raced against the attempt timeout and the run's signal. Either of those aborts the
 * attempt's own controller, so that a cooperative processor stops; the race is decided at that moment,
 * so a processor that ignores its signal cannot stall the shard. The timer and the listener on the run's
 * signal are removed however the attempt ends.
 */
async function attemptOnce<R>(run: Run<R>, batch: readonly R[]): Promise<Attempted> {
  const { policy, signal } = run;
  const controller = new AbortController();
  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason as unknown), { once: true });
  });
  const abortWithRun = () => controller.abort(signal.reason);
  signal.addEventListener("abort", abortWithRun, { once: true });
  const timer = setTimeout(
    () => controller.abort(new AttemptTimeoutError(policy.attemptTimeoutMs)),
    policy.attemptTimeoutMs,
  );
  try {
    await Promise.race([startAttempt(run, batch, controller.signal), stopped]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", abortWithRun);
  }
}

/**
 * Calls the processor. A synchronous throw counts as a rejection. A rejection that comes after the race
 * is decided (a timed-out attempt giving up late) is expected: the handler attached here keeps it from
 * being reported as unhandled, without relying on Promise.race's own subscription to do so.
 */
function startAttempt<R>(run: Run<R>, batch: readonly R[], signal: AbortSignal): Promise<void> {
  let processing: Promise<void>;
  try {
    processing = Promise.resolve(run.hooks.attempt(batch, signal));
  } catch (error) {
    processing = Promise.reject(error);
  }
  processing.catch(() => {});
  return processing;
}

/** The fields the engine relies on; a policy that did not come through resolveFailurePolicy may lack them. */
function assertPolicyUsable(policy: FailurePolicy): void {
  const L = FAILURE_POLICY_LIMITS;
  assert(
    Number.isInteger(policy.maxAttempts) && policy.maxAttempts >= L.maxAttemptsMin,
    `maxAttempts ${policy.maxAttempts} is an integer >= ${L.maxAttemptsMin} (use resolveFailurePolicy)`,
  );
  assert(
    Number.isInteger(policy.attemptTimeoutMs) &&
      policy.attemptTimeoutMs >= L.attemptTimeoutMsMin &&
      policy.attemptTimeoutMs <= L.attemptTimeoutMsMax,
    `attemptTimeoutMs ${policy.attemptTimeoutMs} is within its limits (use resolveFailurePolicy)`,
  );
}

/**
 * A `sleep` hook for production: waits `ms` on a timer, and resolves at once when `signal` aborts,
 * removing both the timer and the listener either way.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

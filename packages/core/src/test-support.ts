/** Helpers for this package's tests (not exported from the package). */
import { KinesisError } from "./errors.js";

/** The KinesisError that `fn` throws; fails the test when it throws nothing or something else. */
export function kinesisErrorOf(fn: () => unknown): KinesisError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KinesisError) return error;
    throw error;
  }
  throw new Error("expected a KinesisError");
}

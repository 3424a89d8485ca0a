/**
 * Validation messages in the shape Kinesis uses, so that a client sees the field and the limit it broke:
 * "1 validation error detected: Value at 'PartitionKey' failed to satisfy constraint: Member must have
 * length less than or equal to 256". Kept apart from validation.ts so that low-level modules (hashing,
 * sequence) can use it without importing the whole validation layer.
 */
import { invalidArgument, type KinesisError } from "./errors.js";

/** `constraint` continues the sentence "Member must ...", e.g. "have length less than or equal to 256". */
export function constraintViolation(field: string, constraint: string): KinesisError {
  return invalidArgument(
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must ${constraint}`,
  );
}

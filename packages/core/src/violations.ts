/**
 * Validation messages in the shape Kinesis uses, so that a client sees the field and the limit it broke:
 * "1 validation error detected: Value at 'PartitionKey' failed to satisfy constraint: Member must have
 * length less than or equal to 256". Kept apart from validation.ts so that low-level modules (hashing,
 * sequence) can use it without importing the whole validation layer.
 */
import { invalidArgument, type KinesisError } from "./errors.js";

/** Longest value quoted in a message; a longer one is cut (a huge input must not make a huge message). */
const QUOTED_VALUE_LENGTH_MAX = 256;

/**
 * `constraint` continues the sentence "Member must ...", e.g. "have length less than or equal to 256".
 * With `value`, the message quotes it as Kinesis does: "Value 'a b' at 'StreamName' failed ...".
 */
export function constraintViolation(field: string, constraint: string, value?: string | number): KinesisError {
  const quoted =
    value === undefined
      ? ""
      : `'${String(value).length > QUOTED_VALUE_LENGTH_MAX ? `${String(value).slice(0, QUOTED_VALUE_LENGTH_MAX)}...` : String(value)}' `;
  return invalidArgument(
    `1 validation error detected: Value ${quoted}at '${field}' failed to satisfy constraint: Member must ${constraint}`,
  );
}

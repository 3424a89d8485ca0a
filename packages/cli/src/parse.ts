import { InvalidArgumentError } from "commander";

export function integer(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed))
    throw new InvalidArgumentError(`not a whole number: ${value}`);
  return parsed;
}

export type Start =
  | { type: "TRIM_HORIZON" | "LATEST" }
  | { type: "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string }
  | { type: "AT_TIMESTAMP"; timestamp: Date };

/** --from trim-horizon|latest|at:SEQ|after:SEQ|time:ISO */
export function startingPoint(value: string): Start {
  if (value === "trim-horizon") return { type: "TRIM_HORIZON" };
  if (value === "latest") return { type: "LATEST" };
  const [kind, ...rest] = value.split(":");
  const arg = rest.join(":");
  if (kind === "at" && /^\d+$/.test(arg)) return { type: "AT_SEQUENCE_NUMBER", sequenceNumber: arg };
  if (kind === "after" && /^\d+$/.test(arg)) return { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: arg };
  if (kind === "time") {
    const timestamp = new Date(arg);
    if (!Number.isNaN(timestamp.getTime())) return { type: "AT_TIMESTAMP", timestamp };
  }
  throw new InvalidArgumentError(`expected trim-horizon, latest, at:SEQ, after:SEQ or time:ISO, got ${value}`);
}

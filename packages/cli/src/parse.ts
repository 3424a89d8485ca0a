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

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration with a unit: 500ms, 30s, 5m, 1h. */
export function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  const amount = match ? Number(match[1]) : NaN;
  const unit = match ? DURATION_UNITS_MS[match[2]!] : undefined;
  if (unit === undefined || !Number.isSafeInteger(amount * unit) || amount <= 0)
    throw new InvalidArgumentError(`expected a positive duration such as 500ms, 30s, 5m or 1h, got ${value}`);
  return amount * unit;
}

/** host:port */
export function hostPort(value: string): { host: string; port: number } {
  const match = /^([^\s:]+):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new InvalidArgumentError(`expected host:port, got ${value}`);
  return { host: match[1]!, port };
}

/** id=host:port,id=host:port,... (the controller's voters when the cluster forms) */
export function peerList(value: string): Map<string, string> {
  const peers = new Map<string, string>();
  for (const item of value.split(",").filter((s) => s.length > 0)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new InvalidArgumentError(`expected id=host:port in --peers, got ${item}`);
    const id = item.slice(0, eq);
    const { host, port } = hostPort(item.slice(eq + 1));
    if (peers.has(id)) throw new InvalidArgumentError(`broker ${id} is listed twice in --peers`);
    peers.set(id, `${host}:${port}`);
  }
  return peers;
}

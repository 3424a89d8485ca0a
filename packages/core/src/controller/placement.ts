/**
 * Replica placement for the controller: which brokers hold a shard's replicas, and which of them is the
 * preferred leader. Pure and deterministic: the same brokers and load always give the same answer, so
 * every controller replica applying the same log places shards identically. Ties break by broker id.
 */
import { type KinesisError, limitExceeded } from "../errors.js";
import { constraintViolation } from "../violations.js";

export type BrokerState = "live" | "down";

export interface BrokerInfo {
  readonly id: string;
  /** Stands in for a data center; a shard's replicas go to distinct zones whenever enough exist. */
  readonly zone: string;
  /** Where peers and clients reach the broker (gRPC host:port). */
  readonly address: string;
  readonly state: BrokerState;
  /** When the broker was first seen down (controller clock); set only while `state` is "down". */
  readonly downSinceMs?: number;
}

/** How many shard replicas a broker holds, and of how many shards it is the preferred leader. */
export interface BrokerLoad {
  readonly replicas: number;
  readonly leaders: number;
}

export type LoadMap = ReadonlyMap<string, BrokerLoad>;

/** The most replicas one shard may have; 1 is single-node mode, 3 the default. */
export const REPLICATION_FACTOR_MAX = 7;

const NO_LOAD: BrokerLoad = { replicas: 0, leaders: 0 };

/** Whether `broker` has been down longer than `replaceAfterMs` at `nowMs`: its replicas are to be rebuilt. */
export function downTooLong(broker: BrokerInfo, nowMs: number, replaceAfterMs: number): boolean {
  return broker.state === "down" && nowMs - (broker.downSinceMs ?? nowMs) > replaceAfterMs;
}

export function loadOf(load: LoadMap, brokerId: string): BrokerLoad {
  return load.get(brokerId) ?? NO_LOAD;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Live brokers, sorted by id so that iteration order never depends on insertion order. */
export function liveBrokers(brokers: Iterable<BrokerInfo>): BrokerInfo[] {
  return [...brokers].filter((b) => b.state === "live").sort((a, b) => byString(a.id, b.id));
}

/**
 * `replicationFactor` live broker ids for a new shard. Greedy: each next replica is the live broker,
 * not yet picked, whose zone holds the fewest picked replicas (so zones are distinct whenever at least
 * RF zones have live brokers, and otherwise spread as evenly as possible), then with the fewest
 * replicas, then by id. The first id returned is the preferred leader: among the picked brokers, the
 * one with the fewest leaderships (then fewest replicas, then id), so leaders spread over brokers.
 *
 * Fewer live brokers than RF is a LimitExceededException value (retriable: brokers may come back) that
 * names ReplicationFactor and the number of live brokers; a bad RF is an InvalidArgumentException.
 */
export function placeReplicas(
  brokers: Iterable<BrokerInfo>,
  load: LoadMap,
  replicationFactor: number,
): string[] | KinesisError {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > REPLICATION_FACTOR_MAX) {
    return constraintViolation(
      "ReplicationFactor",
      `be an integer between 1 and ${REPLICATION_FACTOR_MAX} (got ${replicationFactor})`,
    );
  }
  const all = [...brokers];
  const live = liveBrokers(all);
  if (live.length < replicationFactor) {
    return limitExceeded(
      `ReplicationFactor ${replicationFactor} needs ${replicationFactor} live brokers, ` +
        `but only ${live.length} of ${all.length} registered brokers are live.`,
    );
  }
  const picked: BrokerInfo[] = [];
  const perZone = new Map<string, number>();
  const remaining = [...live];
  while (picked.length < replicationFactor) {
    let bestIndex = 0;
    for (let i = 1; i < remaining.length; i++) {
      if (placementBefore(remaining[i]!, remaining[bestIndex]!, perZone, load)) bestIndex = i;
    }
    const [chosen] = remaining.splice(bestIndex, 1);
    picked.push(chosen!);
    perZone.set(chosen!.zone, (perZone.get(chosen!.zone) ?? 0) + 1);
  }
  const leaderIndex = picked.reduce((best, broker, i) => (leaderBefore(broker, picked[best]!, load) ? i : best), 0);
  const ids = picked.map((b) => b.id);
  const [leader] = ids.splice(leaderIndex, 1);
  return [leader!, ...ids];
}

/**
 * Whether `a` is a better next replica than `b`: emptier zone, then fewer replicas, then fewer
 * leaderships (so that a broker short of leaderships is picked and can then lead), then smaller id.
 */
function placementBefore(a: BrokerInfo, b: BrokerInfo, perZone: ReadonlyMap<string, number>, load: LoadMap): boolean {
  const zoneA = perZone.get(a.zone) ?? 0;
  const zoneB = perZone.get(b.zone) ?? 0;
  if (zoneA !== zoneB) return zoneA < zoneB;
  const replicasA = loadOf(load, a.id).replicas;
  const replicasB = loadOf(load, b.id).replicas;
  if (replicasA !== replicasB) return replicasA < replicasB;
  const leadersA = loadOf(load, a.id).leaders;
  const leadersB = loadOf(load, b.id).leaders;
  if (leadersA !== leadersB) return leadersA < leadersB;
  return a.id < b.id;
}

/**
 * Whether `a` is a better preferred leader than `b`: fewer leaderships, then fewer replicas (a broker
 * in fewer shards gets fewer chances to lead, so it wins ties), then smaller id.
 */
function leaderBefore(a: BrokerInfo, b: BrokerInfo, load: LoadMap): boolean {
  const la = loadOf(load, a.id);
  const lb = loadOf(load, b.id);
  if (la.leaders !== lb.leaders) return la.leaders < lb.leaders;
  if (la.replicas !== lb.replicas) return la.replicas < lb.replicas;
  return a.id < b.id;
}

/**
 * A live broker to take over the replica that `failedBrokerId` holds: not already a replica of the
 * shard, preferring a zone that the remaining replicas do not use (fewest of them in its zone), then
 * fewest replicas, then smallest id. Undefined when no live broker is free.
 */
export function replacementFor(
  brokers: Iterable<BrokerInfo>,
  load: LoadMap,
  currentReplicas: readonly string[],
  failedBrokerId: string,
): string | undefined {
  const all = [...brokers];
  const zoneOf = new Map(all.map((b) => [b.id, b.zone]));
  const perZone = new Map<string, number>();
  for (const id of currentReplicas) {
    if (id === failedBrokerId) continue;
    const zone = zoneOf.get(id);
    if (zone !== undefined) perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
  }
  const candidates = liveBrokers(all).filter((b) => b.id !== failedBrokerId && !currentReplicas.includes(b.id));
  let best: BrokerInfo | undefined;
  for (const candidate of candidates) {
    if (best === undefined || placementBefore(candidate, best, perZone, load)) best = candidate;
  }
  return best?.id;
}

/** Adds a shard's replicas (first = preferred leader) to a mutable load map. */
export function addLoad(load: Map<string, BrokerLoad>, replicas: readonly string[], sign: 1 | -1 = 1): void {
  replicas.forEach((id, i) => {
    const current = loadOf(load, id);
    load.set(id, { replicas: current.replicas + sign, leaders: current.leaders + (i === 0 ? sign : 0) });
  });
}

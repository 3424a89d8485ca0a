/**
 * Which worker of a consumer application holds the lease of which shard: the pure heart of the
 * server-side lease table (the consumer-applications issue). Every controller replica runs it on the
 * same inputs and gets the same answer, so it takes everything as arguments (no clock: liveness is
 * decided by the caller) and breaks every tie by id.
 *
 * The rules, against the KCL's known pains:
 * - A shard is given out only once its parents are finished (read to their end and checkpointed
 *   there), so records of one key are processed in order across a reshard.
 * - A live worker keeps its leases; a lease moves only when its owner is gone, when the shard is no
 *   longer to be read, or to even out the load, and then as few as possible (no stealing storms):
 *   the loads end up within one of each other.
 * - A lease of a live owner is never taken from it: the move is a handover the owner is asked for
 *   (checkpoint, then release), and only the release gives the lease to the new owner.
 * - A lease's epoch grows every time its owner changes; checkpoints carry it, so a worker that lost
 *   a lease cannot write over its successor's checkpoint.
 */

export interface AssignableShard {
  readonly shardId: string;
  /** Parent and adjacent parent, if any. */
  readonly parentShardIds: readonly string[];
  /** Closed, read to its end and checkpointed there: nothing more to give out. */
  readonly finished: boolean;
}

export interface Lease {
  readonly owner: string;
  readonly epoch: number;
}

export interface AssignmentInput {
  readonly shards: readonly AssignableShard[];
  /** Workers whose heartbeat is within the lease timeout. */
  readonly liveWorkers: readonly string[];
  /** The leases as they stand; a lease of a worker not live is free. */
  readonly leases: ReadonlyMap<string, Lease>;
  /** The highest epoch each shard's lease ever had (a lease given out again continues from it). */
  readonly epochs: ReadonlyMap<string, number>;
}

export interface Handover {
  readonly shardId: string;
  readonly from: string;
  readonly to: string;
}

export interface Assignment {
  readonly leases: ReadonlyMap<string, Lease>;
  /** Leases whose live owner is asked to release them, to even out the load. */
  readonly handovers: readonly Handover[];
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The shards to read now: not finished, and every parent that is known finished. */
export function readableShards(shards: readonly AssignableShard[]): string[] {
  const finished = new Map(shards.map((s) => [s.shardId, s.finished] as const));
  return shards
    .filter((s) => !s.finished && s.parentShardIds.every((parent) => finished.get(parent) !== false))
    .map((s) => s.shardId)
    .sort(byId);
}

export function assignLeases(input: AssignmentInput): Assignment {
  const readable = readableShards(input.shards);
  const workers = [...new Set(input.liveWorkers)].sort(byId);
  const leases = new Map<string, Lease>();
  if (workers.length === 0) return { leases, handovers: [] };
  const live = new Set(workers);
  const load = new Map(workers.map((w) => [w, [] as string[]] as const));
  const free: string[] = [];
  for (const shardId of readable) {
    const lease = input.leases.get(shardId);
    if (lease && live.has(lease.owner)) {
      leases.set(shardId, lease);
      load.get(lease.owner)!.push(shardId);
    } else {
      free.push(shardId);
    }
  }
  const leastLoaded = (): string =>
    workers.reduce((best, w) => (load.get(w)!.length < load.get(best)!.length ? w : best), workers[0]!);
  const nextEpoch = (shardId: string): number =>
    Math.max(input.epochs.get(shardId) ?? 0, input.leases.get(shardId)?.epoch ?? 0) + 1;
  for (const shardId of free) {
    const to = leastLoaded();
    leases.set(shardId, { owner: to, epoch: nextEpoch(shardId) });
    load.get(to)!.push(shardId);
  }
  // Even out: one shard at a time from the most to the least loaded, while they differ by more than one.
  // The shards that move are asked of their owners; until released they stay where they are.
  const handovers: Handover[] = [];
  const planned = new Map(workers.map((w) => [w, load.get(w)!.length] as const));
  for (;;) {
    const from = workers.reduce((best, w) => (planned.get(w)! > planned.get(best)! ? w : best), workers[0]!);
    const to = workers.reduce((best, w) => (planned.get(w)! < planned.get(best)! ? w : best), workers[0]!);
    if (planned.get(from)! - planned.get(to)! <= 1) break;
    const moving = load
      .get(from)!
      .filter((id) => !handovers.some((h) => h.shardId === id))
      .sort(byId)
      .at(-1)!;
    handovers.push({ shardId: moving, from, to });
    planned.set(from, planned.get(from)! - 1);
    planned.set(to, planned.get(to)! + 1);
  }
  return { leases, handovers };
}

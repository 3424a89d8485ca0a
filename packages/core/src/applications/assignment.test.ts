import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignLeases, readableShards, type AssignableShard, type Lease } from "./assignment.js";

const shard = (shardId: string, parentShardIds: string[] = [], finished = false): AssignableShard => ({
  shardId,
  parentShardIds,
  finished,
});
const shards = (n: number) => Array.from({ length: n }, (_, i) => shard(`s${String(i).padStart(2, "0")}`));
const loads = (leases: ReadonlyMap<string, Lease>) => {
  const counts = new Map<string, number>();
  for (const lease of leases.values()) counts.set(lease.owner, (counts.get(lease.owner) ?? 0) + 1);
  return counts;
};

describe("assignLeases", () => {
  it("gives every readable shard to a live worker, evenly, each lease at a new epoch", () => {
    const result = assignLeases({
      shards: shards(8),
      liveWorkers: ["w2", "w1", "w3"],
      leases: new Map(),
      epochs: new Map(),
    });
    expect([...result.leases.keys()].sort()).toEqual(shards(8).map((s) => s.shardId));
    expect([...loads(result.leases).values()].sort()).toEqual([2, 3, 3]);
    expect([...result.leases.values()].every((l) => l.epoch === 1)).toBe(true);
    expect(result.handovers).toEqual([]);
  });

  it("a dead worker's shards go to the live ones at a higher epoch; the live ones keep theirs", () => {
    const first = assignLeases({
      shards: shards(6),
      liveWorkers: ["a", "b", "c"],
      leases: new Map(),
      epochs: new Map(),
    });
    const second = assignLeases({
      shards: shards(6),
      liveWorkers: ["a", "b"],
      leases: first.leases,
      epochs: new Map(),
    });
    for (const [shardId, lease] of first.leases) {
      if (lease.owner !== "c") expect(second.leases.get(shardId)).toEqual(lease);
      else expect(second.leases.get(shardId)).toMatchObject({ epoch: lease.epoch + 1 });
    }
    expect([...loads(second.leases).values()]).toEqual([3, 3]);
  });

  it("a new worker gets shards by handover from the busiest, never by taking a live owner's lease", () => {
    const first = assignLeases({ shards: shards(6), liveWorkers: ["a", "b"], leases: new Map(), epochs: new Map() });
    const second = assignLeases({
      shards: shards(6),
      liveWorkers: ["a", "b", "c"],
      leases: first.leases,
      epochs: new Map(),
    });
    expect(second.leases).toEqual(first.leases);
    expect(second.handovers).toHaveLength(2);
    expect(second.handovers.every((h) => h.to === "c" && first.leases.get(h.shardId)!.owner === h.from)).toBe(true);
  });

  it("a shard is read only once its parents are finished", () => {
    const family = [shard("p", [], false), shard("q", [], true), shard("child", ["p", "q"])];
    expect(readableShards(family)).toEqual(["p"]);
    const done = [shard("p", [], true), shard("q", [], true), shard("child", ["p", "q"])];
    expect(readableShards(done)).toEqual(["child"]);
    // A parent no longer known (trimmed away) does not hold its children back.
    expect(readableShards([shard("child", ["gone"])])).toEqual(["child"]);
  });

  it("continues a shard's epochs from the highest it ever had", () => {
    const result = assignLeases({
      shards: shards(1),
      liveWorkers: ["a"],
      leases: new Map(),
      epochs: new Map([["s00", 41]]),
    });
    expect(result.leases.get("s00")).toEqual({ owner: "a", epoch: 42 });
  });

  it("properties: all readable shards held by live workers; loads within one once handovers are done; kept leases unchanged", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.uniqueArray(fc.constantFrom("a", "b", "c", "d", "e", "f"), { minLength: 1, maxLength: 6 }),
        fc.uniqueArray(fc.constantFrom("a", "b", "c", "d", "e", "f"), { minLength: 1, maxLength: 6 }),
        (shardCount, before, after) => {
          const all = shards(shardCount);
          const first = assignLeases({ shards: all, liveWorkers: before, leases: new Map(), epochs: new Map() });
          const second = assignLeases({ shards: all, liveWorkers: after, leases: first.leases, epochs: new Map() });
          expect(second.leases.size).toBe(shardCount);
          for (const [shardId, lease] of second.leases) {
            expect(after as string[]).toContain(lease.owner);
            const old = first.leases.get(shardId)!;
            if ((after as string[]).includes(old.owner)) expect(lease).toEqual(old);
            else expect(lease.epoch).toBe(old.epoch + 1);
          }
          const planned = loads(second.leases);
          for (const h of second.handovers) {
            expect(second.leases.get(h.shardId)!.owner).toBe(h.from);
            planned.set(h.from, planned.get(h.from)! - 1);
            planned.set(h.to, (planned.get(h.to) ?? 0) + 1);
          }
          const counts = after.map((w) => planned.get(w) ?? 0);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          // As few moves as that takes: no worker gives away more than it has over the even share.
          const given = new Map<string, number>();
          for (const h of second.handovers) given.set(h.from, (given.get(h.from) ?? 0) + 1);
          for (const [w, n] of given)
            expect(n).toBeLessThanOrEqual(loads(second.leases).get(w)! - Math.floor(shardCount / after.length));
        },
      ),
    );
  });
});

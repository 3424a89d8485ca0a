import { describe, expect, it } from "vitest";
import { KinesisError } from "../errors.js";
import { addLoad, type BrokerInfo, type BrokerLoad, placeReplicas, replacementFor } from "./placement.js";

function brokersIn(perZone: Record<string, number>): BrokerInfo[] {
  return Object.entries(perZone).flatMap(([zone, n]) =>
    Array.from({ length: n }, (_, i) => ({
      id: `${zone}${i}`,
      zone,
      address: `${zone}${i}:7400`,
      state: "live" as const,
    })),
  );
}

/** Places `shards` shards one after another, as CreateStream does, and returns the replica sets. */
function placeMany(brokers: BrokerInfo[], shards: number, rf = 3): { sets: string[][]; load: Map<string, BrokerLoad> } {
  const load = new Map<string, BrokerLoad>();
  const sets: string[][] = [];
  for (let i = 0; i < shards; i++) {
    const replicas = placeReplicas(brokers, load, rf);
    if (replicas instanceof KinesisError) throw replicas;
    addLoad(load, replicas);
    sets.push(replicas);
  }
  return { sets, load };
}

const zoneOf = (brokers: BrokerInfo[], id: string) => brokers.find((b) => b.id === id)?.zone;
const spread = (values: number[]) => Math.max(...values) - Math.min(...values);

describe("placeReplicas", () => {
  const shapes: [number, number, number][] = [];
  for (let a = 1; a <= 3; a++) for (let b = 1; b <= 3; b++) for (let c = 1; c <= 3; c++) shapes.push([a, b, c]);

  it.each(shapes)("3 zones with %i/%i/%i brokers: every shard in 3 zones, leaders within ±1", (a, b, c) => {
    const brokers = brokersIn({ a, b, c });
    const { sets, load } = placeMany(brokers, 64);
    for (const set of sets) {
      expect(new Set(set).size).toBe(3);
      expect(new Set(set.map((id) => zoneOf(brokers, id))).size).toBe(3);
    }
    const leaders = brokers.map((br) => load.get(br.id)?.leaders ?? 0);
    expect(leaders.reduce((x, y) => x + y, 0)).toBe(64);
    expect(spread(leaders), JSON.stringify(leaders)).toBeLessThanOrEqual(1);
    // Within a zone, replicas are spread evenly too.
    for (const zone of ["a", "b", "c"]) {
      const inZone = brokers.filter((br) => br.zone === zone).map((br) => load.get(br.id)?.replicas ?? 0);
      expect(spread(inZone)).toBeLessThanOrEqual(1);
    }
  });

  it("with 2 zones, spreads each shard over both zones and balances replicas", () => {
    const brokers = brokersIn({ a: 2, b: 2 });
    const { sets, load } = placeMany(brokers, 64);
    for (const set of sets) {
      expect(new Set(set).size).toBe(3);
      const zones = set.map((id) => zoneOf(brokers, id));
      expect(new Set(zones).size).toBe(2);
    }
    expect(spread(brokers.map((br) => load.get(br.id)?.replicas ?? 0))).toBeLessThanOrEqual(1);
    expect(spread(brokers.map((br) => load.get(br.id)?.leaders ?? 0))).toBeLessThanOrEqual(1);
  });

  it("with one zone, still places on distinct brokers", () => {
    const brokers = brokersIn({ a: 4 });
    const { sets } = placeMany(brokers, 16);
    for (const set of sets) expect(new Set(set).size).toBe(3);
  });

  it("fewer live brokers than the replication factor is an error value naming the limit", () => {
    const brokers = brokersIn({ a: 1, b: 1, c: 1 }).map((b) =>
      b.id === "c0" ? { ...b, state: "down" as const, downSinceMs: 0 } : b,
    );
    const result = placeReplicas(brokers, new Map(), 3);
    expect(result).toBeInstanceOf(KinesisError);
    expect((result as KinesisError).name).toBe("LimitExceededException");
    expect((result as KinesisError).message).toMatch(/ReplicationFactor 3/);
    expect((result as KinesisError).message).toMatch(/only 2 of 3/);
  });

  it("rejects a bad replication factor naming the field", () => {
    for (const rf of [0, 1.5, 99]) {
      const result = placeReplicas(brokersIn({ a: 3 }), new Map(), rf);
      expect((result as KinesisError).name).toBe("InvalidArgumentException");
      expect((result as KinesisError).message).toMatch(/ReplicationFactor/);
    }
  });

  it("never places on a down broker, and is deterministic whatever the input order", () => {
    const brokers = brokersIn({ a: 2, b: 2, c: 2 }).map((b) =>
      b.id === "a0" ? { ...b, state: "down" as const, downSinceMs: 5 } : b,
    );
    const first = placeMany(brokers, 32).sets;
    const second = placeMany([...brokers].reverse(), 32).sets;
    expect(second).toEqual(first);
    expect(first.flat()).not.toContain("a0");
  });

  it("RF 1 spreads single replicas over all brokers", () => {
    const brokers = brokersIn({ a: 1, b: 1, c: 1 });
    const { load } = placeMany(brokers, 9, 1);
    expect(brokers.map((b) => load.get(b.id)?.leaders)).toEqual([3, 3, 3]);
  });
});

describe("replacementFor", () => {
  const brokers = brokersIn({ a: 2, b: 2, c: 2 });

  it("prefers a live broker in the zone the failed replica leaves empty", () => {
    const load = new Map<string, BrokerLoad>([["c1", { replicas: 5, leaders: 0 }]]);
    expect(replacementFor(brokers, load, ["a0", "b0", "c0"], "c0")).toBe("c1");
  });

  it("takes the least loaded broker of that zone, skipping down brokers and current replicas", () => {
    const withDown = brokers.map((b) => (b.id === "c1" ? { ...b, state: "down" as const, downSinceMs: 0 } : b));
    const load = new Map<string, BrokerLoad>([["a1", { replicas: 9, leaders: 0 }]]);
    // No live broker left in zone c: falls back to the emptiest zone, least loaded.
    expect(replacementFor(withDown, load, ["a0", "b0", "c0"], "c0")).toBe("b1");
  });

  it("is undefined when no live broker is free", () => {
    const three = brokersIn({ a: 1, b: 1, c: 1 });
    expect(replacementFor(three, new Map(), ["a0", "b0", "c0"], "c0")).toBeUndefined();
  });
});

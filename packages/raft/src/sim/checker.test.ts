/**
 * A checker that cannot fail proves nothing: with a deliberately broken node, the simulator must report
 * a violation of the property that the bug breaks, naming the seed and how to replay it.
 */
import { describe, expect, it } from "vitest";

import { Prng } from "./prng.js";
import { runSimulation, SimulationFailure, type SimFault } from "./simulator.js";

const SEEDS = 200;

/** The failures of runs of seeds 1..SEEDS with `fault`. */
function failuresWith(fault: SimFault): SimulationFailure[] {
  const failures: SimulationFailure[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    try {
      runSimulation(seed, { fault });
    } catch (error) {
      if (!(error instanceof SimulationFailure)) throw error;
      failures.push(error);
    }
  }
  return failures;
}

function properties(failures: readonly SimulationFailure[]): Set<string> {
  return new Set(failures.map((failure) => failure.property));
}

describe("the checker catches broken nodes", () => {
  it("a node that grants every vote: two leaders are elected in one term", () => {
    const found = properties(failuresWith("voteForAnyone"));
    expect(found).toContain("election safety");
    // The lies also show as forgotten votes, lost commits and diverging logs; never as anything else.
    expect(
      [...found].filter(
        (p) => !["election safety", "election durability", "leader completeness", "log matching"].includes(p),
      ),
    ).toEqual([]);
  });

  it("a leader that commits without a majority: a committed entry is missing from a later leader", () => {
    const found = properties(failuresWith("commitWithoutQuorum"));
    expect(found).toContain("leader completeness");
    // Or a node applies an entry that was never truly committed; or, with a broken leader in charge,
    // the group does not recover in time.
    const expected = ["leader completeness", "state machine safety", "liveness"];
    expect([...found].filter((p) => !expected.includes(p))).toEqual([]);
  });

  it("a driver that sends votes and acknowledgements before syncing: a crash makes it forget them", () => {
    const found = properties(failuresWith("sendBeforePersist"));
    expect(found).toContain("election durability");
    // A lost acknowledged entry also shows as a leader without a committed entry, or as a follower
    // told to commit past the end of its log (the core's own assertion).
    expect([...found].filter((p) => !["election durability", "leader completeness", "assertion"].includes(p))).toEqual(
      [],
    );
  });

  it("a failure names the seed, the step and the property, tells how to replay it, and shows the last events", () => {
    const [failure] = failuresWith("voteForAnyone");
    expect(failure).toBeDefined();
    expect(failure!.message).toMatch(/^seed \d+, step \d+ \(\d+ms\): [a-z ]+: /);
    expect(failure!.message).toContain(`npm run sim -- --seed ${failure!.seed} --nodes 3 --trace`);
    expect(failure!.recentEvents.length).toBeGreaterThan(10);
    expect(() => runSimulation(failure!.seed, { fault: "voteForAnyone" })).toThrow(failure!.message.split("\n")[0]!);
  });
});

describe("Prng", () => {
  it("is a pure function of its seed", () => {
    const draw = (seed: number): number[] => {
      const rng = new Prng(seed);
      return Array.from({ length: 5 }, () => rng.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it("spreads its draws over [0, 1)", () => {
    const rng = new Prng(99);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(rng.next() * 10)]!++;
    for (const count of buckets) expect(count).toBeGreaterThan(900);
    expect(Math.max(...Array.from({ length: 1000 }, () => rng.next()))).toBeLessThan(1);
  });
});

/**
 * The simulator in CI: a fixed range of seeds of 3-node clusters (sim-5.test.ts runs 5-node ones in
 * parallel). A failure names its seed; `npm run sim -- --seed S --trace` replays it.
 */
import { describe, expect, it } from "vitest";

import { runSimulation } from "./simulator.js";

const SEEDS = 3000;
const CHUNK_SEEDS = 500;
const CHUNK_TIMEOUT_MS = 60_000;

describe("simulation, 3 nodes", () => {
  for (let from = 1; from <= SEEDS; from += CHUNK_SEEDS) {
    const to = Math.min(SEEDS, from + CHUNK_SEEDS - 1);
    it(
      `seeds ${from}..${to}: safe throughout, and live once every fault heals`,
      () => {
        let elections = 0;
        let committed = 0;
        for (let seed = from; seed <= to; seed++) {
          const summary = runSimulation(seed, { nodes: 3 });
          elections += summary.elections;
          committed += summary.committedIndex;
        }
        // The runs did something: they are no idle clusters that could not fail.
        expect(elections).toBeGreaterThan(to - from);
        expect(committed).toBeGreaterThan(10 * (to - from));
      },
      CHUNK_TIMEOUT_MS,
    );
  }

  it("a seed replays exactly", () => {
    const lines: string[] = [];
    const first = runSimulation(7, { trace: (line) => lines.push(line) });
    const again: string[] = [];
    expect(runSimulation(7, { trace: (line) => again.push(line) })).toEqual(first);
    expect(again).toEqual(lines);
    expect(first.faults.crashes + first.faults.partitions + first.faults.dropped).toBeGreaterThan(0);
  });
});

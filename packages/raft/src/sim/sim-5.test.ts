/** The simulator in CI: a fixed range of seeds of 5-node clusters (in its own file, to run beside the 3-node one). */
import { describe, it } from "vitest";

import { runSimulation } from "./simulator.js";

const SEEDS = 1000;
const CHUNK_SEEDS = 250;
const CHUNK_TIMEOUT_MS = 60_000;

describe("simulation, 5 nodes", () => {
  for (let from = 1; from <= SEEDS; from += CHUNK_SEEDS) {
    const to = Math.min(SEEDS, from + CHUNK_SEEDS - 1);
    it(
      `seeds ${from}..${to}: safe throughout, and live once every fault heals`,
      () => {
        for (let seed = from; seed <= to; seed++) runSimulation(seed, { nodes: 5 });
      },
      CHUNK_TIMEOUT_MS,
    );
  }
});

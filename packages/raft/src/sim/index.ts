export { runSimulation, SimulationFailure, TICK_MS } from "./simulator.js";
export type { SimFault, SimulationOptions, SimulationSummary, FaultCounts } from "./simulator.js";
export { Prng } from "./prng.js";

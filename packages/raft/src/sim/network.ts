/**
 * The simulated network: each message is dropped, or delivered after a random delay (hence
 * reordered), sometimes twice; a blocked link ("from->to") loses what crosses it, and so does a node
 * that is down when a message arrives.
 */
import { describeMessage, type Message } from "../messages.js";
import { pump } from "./driver.js";
import type { Simulation } from "./simulator.js";

export interface NetworkConditions {
  dropRate: number;
  duplicateRate: number;
  delayMaxMs: number;
  /** Links that lose every message, as "from->to". */
  readonly blocked: Set<string>;
}

export function send(sim: Simulation, m: Message): void {
  const net = sim.network;
  if (m.type === "MsgVoteResp" && !m.reject) sim.checker.onVoteGranted(m.from, m.to, m.term);
  if (sim.rng.chance(net.dropRate)) {
    sim.faults.dropped++;
    sim.trace.add(() => `drop ${describeMessage(m)}`);
    return;
  }
  const copies = sim.rng.chance(net.duplicateRate) ? 2 : 1;
  if (copies === 2) sim.faults.duplicated++;
  for (let i = 0; i < copies; i++)
    sim.queue.schedule(sim.nowMs + sim.rng.range(1, net.delayMaxMs), () => deliver(sim, m));
}

function deliver(sim: Simulation, m: Message): void {
  const target = sim.nodes.get(m.to);
  if (target === undefined || !target.up || sim.network.blocked.has(`${m.from}->${m.to}`)) {
    sim.trace.add(() => `lost ${describeMessage(m)}${target?.up === true ? " (partitioned)" : " (node down)"}`);
    return;
  }
  if (target.broken && sim.fault === "voteForAnyone" && (m.type === "MsgVote" || m.type === "MsgPreVote")) {
    const type = m.type === "MsgVote" ? "MsgVoteResp" : "MsgPreVoteResp";
    send(sim, { type, from: m.to, to: m.from, term: m.term, reject: false });
    return;
  }
  sim.trace.add(() => `deliver ${describeMessage(m)}`);
  target.raw!.step(m);
  pump(sim, target);
}

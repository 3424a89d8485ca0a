/**
 * What happens to a simulated cluster during the chaos phase: clients proposing at random times, and
 * faults and operations drawn with fixed weights: crashes and restarts, partitions (both ways and one
 * way), a worse or better network, membership changes, leadership transfers and log compactions.
 */
import { ConfChangeType, isMember, type ConfChange } from "../conf-change.js";
import { EMPTY_CONF } from "../types.js";
import { compactNode, crashNode, pump, startNode, stopNode, type SimNode } from "./driver.js";
import type { Simulation } from "./simulator.js";

const CLIENT_INTERVAL_MS = [5, 40] as const;
const CHAOS_INTERVAL_MS = [20, 250] as const;
const RESTART_AFTER_MS = [30, 1500] as const;
const DECOMMISSION_SWEEP_MS = 200;
const SLOW_DISK_MS = [100, 1500] as const;
/** Nodes a run may add beyond its initial voters. */
const ADDED_NODES_MAX = 4;

type Action = (sim: Simulation) => void;

const ACTIONS: readonly (readonly [number, Action])[] = [
  [3, crashOne],
  [2, restartOne],
  [2, partition],
  [1, cutOneWay],
  [3, healNetwork],
  [2, changeNetwork],
  [2, slowDisk],
  [3, changeMembership],
  [1, transferLeadership],
  [2, compactOne],
];
const TOTAL_WEIGHT = ACTIONS.reduce((sum, [weight]) => sum + weight, 0);

export function scheduleWorkload(sim: Simulation): void {
  scheduleClient(sim);
  scheduleChaos(sim);
  scheduleDecommissionSweep(sim);
}

function scheduleClient(sim: Simulation): void {
  const at = sim.nowMs + sim.rng.range(...CLIENT_INTERVAL_MS);
  if (at >= sim.chaosEndMs) return;
  sim.queue.schedule(at, () => {
    propose(sim);
    scheduleClient(sim);
  });
}

function scheduleChaos(sim: Simulation): void {
  const at = sim.nowMs + Math.round(sim.rng.range(...CHAOS_INTERVAL_MS) / sim.storminess);
  if (at >= sim.chaosEndMs) return;
  sim.queue.schedule(at, () => {
    drawAction(sim)(sim);
    scheduleChaos(sim);
  });
}

function drawAction(sim: Simulation): Action {
  let draw = sim.rng.int(TOTAL_WEIGHT);
  for (const [weight, action] of ACTIONS) {
    if (draw < weight) return action;
    draw -= weight;
  }
  return healNetwork;
}

/** A client sends to the leader it believes in, or to any node, and follows one NotLeader redirect. */
function propose(sim: Simulation): void {
  const up = sim.upNodes();
  if (up.length === 0) return;
  const leader = sim.leader();
  let node = leader !== undefined && sim.rng.chance(0.7) ? leader : sim.rng.pick(up);
  const data = new TextEncoder().encode(`p${sim.proposals++}`);
  let result = node.raw!.propose(data, sim.nowMs);
  if (!result.ok && result.error.kind === "NotLeader") {
    const hinted = sim.nodes.get(result.error.leaderId);
    if (hinted?.up === true) {
      node = hinted;
      result = node.raw!.propose(data, sim.nowMs);
    }
  }
  const target = node;
  sim.trace.add(
    () => `client proposes at ${target.id}: ${result.ok ? `${result.index}/t${result.term}` : result.error.kind}`,
  );
  if (result.ok) node.proposed.set(result.index, result.term);
  pump(sim, node);
}

function crashOne(sim: Simulation): void {
  const up = sim.upNodes();
  if (up.length === 0) return;
  const node = sim.rng.pick(up);
  crashNode(sim, node);
  sim.queue.schedule(sim.nowMs + sim.rng.range(...RESTART_AFTER_MS), () => {
    if (!node.up && !node.decommissioned && !sim.healed) startNode(sim, node);
  });
}

function restartOne(sim: Simulation): void {
  const down = [...sim.nodes.values()].filter((node) => !node.up && !node.decommissioned);
  if (down.length > 0) startNode(sim, sim.rng.pick(down));
}

/** Splits the nodes into two sides that cannot reach each other. */
function partition(sim: Simulation): void {
  const ids = shuffled(sim, [...sim.nodes.keys()]);
  const side = new Set(ids.slice(0, sim.rng.range(1, ids.length - 1)));
  for (const from of ids)
    for (const to of ids) if (side.has(from) !== side.has(to)) sim.network.blocked.add(`${from}->${to}`);
  sim.faults.partitions++;
  sim.trace.add(() => `partition: {${[...side].join(",")}} | {${ids.filter((id) => !side.has(id)).join(",")}}`);
}

function cutOneWay(sim: Simulation): void {
  const [from, to] = shuffled(sim, [...sim.nodes.keys()]);
  if (from === undefined || to === undefined) return;
  sim.network.blocked.add(`${from}->${to}`);
  sim.faults.oneWayCuts++;
  sim.trace.add(() => `cut ${from}->${to}`);
}

function healNetwork(sim: Simulation): void {
  sim.network.blocked.clear();
  sim.trace.add(() => "partitions heal");
}

function changeNetwork(sim: Simulation): void {
  const net = sim.network;
  net.dropRate = sim.rng.pick([0, 0, 0.02, 0.1, 0.3]);
  net.duplicateRate = sim.rng.pick([0, 0.02, 0.1]);
  net.delayMaxMs = sim.rng.pick([3, 10, 30, 80]);
  const { dropRate, duplicateRate, delayMaxMs } = net;
  sim.trace.add(() => `network: drop ${dropRate}, duplicate ${duplicateRate}, delay up to ${delayMaxMs}ms`);
}

/** A node's disk turns slow for a while: its syncs take tens of milliseconds, and its peers run ahead. */
function slowDisk(sim: Simulation): void {
  const up = sim.upNodes();
  if (up.length === 0) return;
  const node = sim.rng.pick(up);
  const untilMs = sim.nowMs + sim.rng.range(...SLOW_DISK_MS);
  node.diskSlowUntilMs = untilMs;
  sim.trace.add(() => `${node.id}'s disk is slow until ${untilMs}ms`);
}

/** One change at a time: promote or remove a learner, remove a voter (the leader, too), or add a node. */
function changeMembership(sim: Simulation): void {
  const leader = sim.leader();
  if (leader === undefined) return;
  const raw = leader.raw!;
  const { voters, learners } = raw.internals.conf;
  let change: ConfChange;
  let newNode = false;
  if (learners.length > 0) {
    const nodeId = sim.rng.pick(learners);
    change = { type: sim.rng.chance(0.8) ? ConfChangeType.PromoteLearner : ConfChangeType.RemoveLearner, nodeId };
  } else if (voters.length >= sim.nodeCount && sim.rng.chance(0.6)) {
    change = { type: ConfChangeType.RemoveVoter, nodeId: sim.rng.pick(voters) };
  } else if (sim.nodes.size < sim.nodeCount + ADDED_NODES_MAX) {
    change = {
      type: sim.rng.chance(0.5) ? ConfChangeType.AddVoter : ConfChangeType.AddLearner,
      nodeId: `n${sim.nextNodeNumber}`,
    };
    newNode = true;
  } else return;
  const result = raw.proposeConfChange(change, sim.nowMs);
  sim.trace.add(
    () =>
      `${leader.id} proposes ${ConfChangeType[change.type]} ${change.nodeId}: ${result.ok ? `${result.index}/t${result.term}` : result.error.kind}`,
  );
  if (!result.ok) return;
  sim.faults.confChanges++;
  if (newNode) sim.addNode(sim.newNodeId(), EMPTY_CONF);
  pump(sim, leader);
}

function transferLeadership(sim: Simulation): void {
  const leader = sim.leader();
  if (leader === undefined) return;
  const others = leader.raw!.internals.conf.voters.filter((id) => id !== leader.id);
  if (others.length === 0) return;
  const to = sim.rng.pick(others);
  const result = leader.raw!.transferLeadership(to);
  sim.trace.add(() => `${leader.id} transfers leadership to ${to}: ${result.ok ? "ok" : result.error.kind}`);
  if (result.ok) sim.faults.transfers++;
  pump(sim, leader);
}

function compactOne(sim: Simulation): void {
  const candidates = sim.upNodes().filter((node) => node.appliedIndex > node.storage.snapshot().meta.index + 2);
  if (candidates.length > 0) compactNode(sim, sim.rng.pick(candidates));
}

/**
 * A node whose removal is committed is stopped for good, as an operator would: it is no member of any
 * configuration that can still come. Only the leader of the newest term knows that (a leader cut off
 * in an older term may still hold an old configuration).
 */
function scheduleDecommissionSweep(sim: Simulation): void {
  sim.queue.schedule(sim.nowMs + DECOMMISSION_SWEEP_MS, () => {
    const leader = sim.leader()?.raw!.internals;
    const newest = leader !== undefined && leader.term === sim.checker.newestLeaderTerm;
    if (leader !== undefined && newest && leader.log.commitIndex >= leader.confs.currentIndex) {
      for (const node of sim.nodes.values())
        if (!node.decommissioned && !isMember(leader.conf, node.id)) decommission(sim, node);
    }
    if (!sim.done) scheduleDecommissionSweep(sim);
  });
}

function decommission(sim: Simulation, node: SimNode): void {
  node.decommissioned = true;
  stopNode(node);
  sim.trace.add(() => `${node.id} is decommissioned`);
}

function shuffled<T>(sim: Simulation, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = sim.rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * The simulated broker around each RawNode: it follows the Ready contract as the real driver will, on
 * a MemoryStorage, with every delay drawn from the run's generator. A Ready is written at once
 * (unsynced) and its `messages` sent; the sync completes later (1–8 ms, sometimes 20–120 ms, always
 * slow while the node's disk is slow); only then are `messagesAfterPersist` sent, the committed
 * entries applied and the node advanced. Loads complete after 1–10 ms. A crash loses the unsynced
 * writes (or keeps a prefix of them), and the node restarts from what its storage holds.
 *
 * The state machine is a hash chain over the applied entries; a snapshot carries its hash.
 */
import { AssertionError } from "@eddy/core";

import type { MemoryStorage } from "../memory-storage.js";
import { RawNode, type Ready } from "../raw-node.js";
import type { Entry, Snapshot } from "../types.js";
import { GENESIS_HASH, chain, entryHash } from "./checker.js";
import { send } from "./network.js";
import type { Prng } from "./prng.js";
import type { Simulation } from "./simulator.js";

export interface SimNode {
  readonly id: string;
  readonly storage: MemoryStorage;
  readonly random: Prng;
  readonly tickIntervalMs: number;
  /** The node that `SimulationOptions.fault` breaks. */
  readonly broken: boolean;
  raw: RawNode | undefined;
  up: boolean;
  /** Stopped for good after its removal committed. */
  decommissioned: boolean;
  /** Until then, every sync of this node is slow. */
  diskSlowUntilMs: number;
  /** Bumped by every crash, so that events of an earlier life are ignored. */
  incarnation: number;
  readyInFlight: Ready | undefined;
  /** The state machine: a hash chain over the applied entries. */
  appliedIndex: number;
  appliedTerm: number;
  stateHash: number;
  commitSeen: number;
  /** Prefix hashes of the log as written to storage (see Checker.onWrite). */
  prefix: number[];
  /** Proposals this node accepted as leader, by index, waiting to be acknowledged. */
  readonly proposed: Map<number, number>;
}

/** The share of syncs that take long, besides those of a node whose disk is slow for a while. */
const LAGGING_SYNC_RATE = 0.05;
const SYNC_MS = [1, 8] as const;
const LAGGING_SYNC_MS = [20, 120] as const;
const LOAD_MS = [1, 10] as const;
/** The share of writes during which the writing node crashes, in the stormiest runs. */
const CRASH_DURING_SYNC_RATE = 0.01;
/** The same, for writes of a new term or vote: elections are where a forgotten vote does harm. */
const CRASH_DURING_VOTE_SYNC_RATE = 0.1;
const RESTART_AFTER_SYNC_CRASH_MS = [10, 500] as const;

export function startNode(sim: Simulation, node: SimNode): void {
  const restored = node.storage.restoredState();
  sim.checker.onRestart(node.id, restored.hardState.term, restored.hardState.vote);
  node.raw = new RawNode({ ...sim.config, id: node.id }, restored, () => node.random.next());
  node.up = true;
  node.incarnation++;
  node.readyInFlight = undefined;
  const snapshot = node.storage.snapshot();
  node.appliedIndex = snapshot.meta.index;
  node.appliedTerm = snapshot.meta.term;
  node.stateHash = decodeState(snapshot);
  node.commitSeen = node.raw.internals.log.commitIndex;
  node.proposed.clear();
  const entries = node.storage.readEntries(restored.firstIndex, restored.lastIndex + 1, Infinity);
  node.prefix = sim.checker.rebuildPrefix(node.id, restored.snapshot, entries);
  const { hardState, firstIndex, lastIndex } = restored;
  sim.trace.add(
    () => `${node.id} starts: term ${hardState.term}, log ${firstIndex}..${lastIndex}, commit ${hardState.commitIndex}`,
  );
  pump(sim, node);
}

export function crashNode(sim: Simulation, node: SimNode): void {
  const kept = sim.rng.int(node.storage.unsyncedWrites + 1);
  const lost = node.storage.unsyncedWrites - kept;
  node.storage.crash(kept);
  stopNode(node);
  sim.faults.crashes++;
  sim.trace.add(() => `${node.id} crashes (${lost} unsynced writes lost, ${kept} kept)`);
}

export function stopNode(node: SimNode): void {
  node.up = false;
  node.raw = undefined;
  node.readyInFlight = undefined;
  node.incarnation++;
}

/** Runs the driver: takes the node's next Ready once the previous one is done. */
export function pump(sim: Simulation, node: SimNode): void {
  if (!node.up || node.readyInFlight !== undefined) return;
  const raw = node.raw!;
  if (node.broken && sim.fault === "commitWithoutQuorum" && raw.internals.role === "leader") {
    raw.internals.log.commitTo(raw.internals.log.lastIndex);
  }
  if (!raw.hasReady()) return;
  const ready = raw.ready();
  node.readyInFlight = ready;
  traceReady(sim, node, ready);
  sim.checker.onWrite(node.id, node.prefix, ready);
  node.storage.writeReady(ready);
  for (const m of ready.messages) send(sim, m);
  const early = node.broken && sim.fault === "sendBeforePersist";
  if (early) for (const m of ready.messagesAfterPersist) send(sim, m);
  serveLoads(sim, node, ready);
  const syncMs = drawSyncMs(sim, node);
  maybeCrashDuringSync(sim, node, ready, syncMs);
  const incarnation = node.incarnation;
  sim.queue.schedule(sim.nowMs + syncMs, () => {
    if (node.incarnation !== incarnation) return;
    if (ready.mustSync) node.storage.sync();
    if (!early) for (const m of ready.messagesAfterPersist) send(sim, m);
    if (ready.snapshot !== undefined) installSnapshot(sim, node, ready.snapshot);
    for (const entry of ready.committedEntries) apply(sim, node, entry);
    node.readyInFlight = undefined;
    raw.advance(ready);
    pump(sim, node);
  });
}

/** Compacts a node's log at its applied index: the state machine's state becomes the snapshot. */
export function compactNode(sim: Simulation, node: SimNode): void {
  const { storage, appliedIndex } = node;
  const [first, last] = [storage.firstIndex(), storage.lastIndex()];
  sim.trace.add(() => `${node.id} compacts its log up to ${appliedIndex} (stored ${first}..${last})`);
  const meta = node.raw!.compactLog(node.appliedIndex, node.appliedTerm);
  if (meta === undefined) return;
  storage.compact({ meta, data: encodeState(node.stateHash) });
  sim.faults.compactions++;
}

function drawSyncMs(sim: Simulation, node: SimNode): number {
  const lagging = sim.nowMs < node.diskSlowUntilMs || sim.rng.chance(LAGGING_SYNC_RATE);
  if (lagging) sim.faults.laggingSyncs++;
  return lagging ? sim.rng.range(...LAGGING_SYNC_MS) : sim.rng.range(...SYNC_MS);
}

/** Crashes are most telling while a write is in flight: aim some there. */
function maybeCrashDuringSync(sim: Simulation, node: SimNode, ready: Ready, syncMs: number): void {
  const vote = ready.hardState !== undefined && ready.hardState.vote !== "" && ready.mustSync;
  const rate = (vote ? CRASH_DURING_VOTE_SYNC_RATE : CRASH_DURING_SYNC_RATE) * sim.storminess;
  if (sim.healed || !sim.rng.chance(rate)) return;
  const incarnation = node.incarnation;
  sim.queue.schedule(sim.nowMs + sim.rng.range(0, syncMs), () => {
    if (node.incarnation !== incarnation || sim.healed) return;
    crashNode(sim, node);
    sim.queue.schedule(sim.nowMs + sim.rng.range(...RESTART_AFTER_SYNC_CRASH_MS), () => {
      if (!node.up && !node.decommissioned && !sim.healed) startNode(sim, node);
    });
  });
}

function serveLoads(sim: Simulation, node: SimNode, ready: Ready): void {
  const incarnation = node.incarnation;
  for (const load of ready.entryLoads) {
    sim.faults.entryLoads++;
    sim.queue.schedule(sim.nowMs + sim.rng.range(...LOAD_MS), () => {
      if (node.incarnation !== incarnation) return;
      const entries = node.storage.readEntries(load.lo, load.hi, load.maxBytes);
      sim.trace.add(() => `${node.id} loaded [${load.lo}, ${load.hi}): ${entries.length} entries`);
      node.raw!.entriesLoaded(load.id, entries);
      pump(sim, node);
    });
  }
  for (const load of ready.snapshotLoads) {
    sim.queue.schedule(sim.nowMs + sim.rng.range(...LOAD_MS), () => {
      if (node.incarnation !== incarnation) return;
      node.raw!.snapshotLoaded(load.id, node.storage.snapshot());
      pump(sim, node);
    });
  }
}

function installSnapshot(sim: Simulation, node: SimNode, snapshot: Snapshot): void {
  node.appliedIndex = snapshot.meta.index;
  node.appliedTerm = snapshot.meta.term;
  node.stateHash = decodeState(snapshot);
  sim.faults.snapshotsInstalled++;
  sim.trace.add(() => `${node.id} installs snapshot ${snapshot.meta.index}/t${snapshot.meta.term}`);
  sim.checker.onSnapshotInstalled(node.id, snapshot.meta, node.stateHash);
}

function apply(sim: Simulation, node: SimNode, entry: Entry): void {
  if (entry.index !== node.appliedIndex + 1) {
    throw new AssertionError(`${node.id} applies ${entry.index} after ${node.appliedIndex}`);
  }
  node.stateHash = chain(node.stateHash, entryHash(entry));
  node.appliedIndex = entry.index;
  node.appliedTerm = entry.term;
  sim.checker.onApply(node.id, entry, node.stateHash);
  if (node.proposed.get(entry.index) === entry.term) sim.acknowledged++;
  node.proposed.delete(entry.index);
}

function traceReady(sim: Simulation, node: SimNode, ready: Ready): void {
  sim.trace.add(() => {
    const range = (entries: readonly Entry[]): string => `[${entries[0]!.index}..${entries.at(-1)!.index}]`;
    const parts: string[] = [];
    const { softState, hardState } = ready;
    if (softState !== undefined) parts.push(`${softState.role} (leader ${softState.leaderId || "-"})`);
    if (hardState !== undefined)
      parts.push(`hard t${hardState.term} vote ${hardState.vote || "-"} commit ${hardState.commitIndex}`);
    if (ready.snapshot !== undefined) parts.push(`snapshot ${ready.snapshot.meta.index}`);
    if (ready.entries.length > 0) parts.push(`write ${range(ready.entries)}`);
    if (ready.committedEntries.length > 0) parts.push(`apply ${range(ready.committedEntries)}`);
    if (ready.entryLoads.length > 0) parts.push(`load ${ready.entryLoads.map((l) => `[${l.lo},${l.hi})`).join(" ")}`);
    if (ready.snapshotLoads.length > 0) parts.push("load snapshot");
    return `${node.id} ready: ${parts.join(", ") || "messages only"}`;
  });
}

function encodeState(stateHash: number): Uint8Array {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setFloat64(0, stateHash);
  return data;
}

function decodeState(snapshot: Snapshot): number {
  if (snapshot.data.byteLength === 0) return GENESIS_HASH;
  return new DataView(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength).getFloat64(0);
}

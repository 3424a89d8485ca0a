/**
 * A deterministic simulator for the Raft core, in the manner of TigerBeetle's VOPR: whole clusters of
 * RawNodes run on a virtual clock, with a simulated network (network.ts) and simulated disks and
 * drivers (driver.ts), and every fault is drawn from one seeded generator, so a seed replays a run
 * exactly.
 *
 * A run has two phases. During the chaos phase the network drops, duplicates, delays (hence
 * reorders) messages and is partitioned (both ways and one way), nodes crash and restart, clients
 * propose, members are added, promoted and removed one at a time, leadership is transferred and logs
 * are compacted. Then every fault heals, and within a bounded time a leader must be elected and a new
 * proposal must be applied by every member. After every step the checker (checker.ts) checks safety.
 */
import { AssertionError } from "@eddy/core";

import type { RaftConfig } from "../config.js";
import { MemoryStorage } from "../memory-storage.js";
import { Checker, GENESIS_HASH, Violation } from "./checker.js";
import { pump, startNode, type SimNode } from "./driver.js";
import { EventQueue } from "./event-queue.js";
import type { NetworkConditions } from "./network.js";
import { Prng } from "./prng.js";
import { Trace } from "./trace.js";
import { scheduleWorkload } from "./workload.js";

/** Deliberate bugs, to show that the checker catches them (never used outside tests). */
export type SimFault =
  /** One node grants every vote and pre-vote it is asked for, whatever its term, vote and log. */
  | "voteForAnyone"
  /** One node, when leader, commits its whole log without waiting for a majority. */
  | "commitWithoutQuorum"
  /** One node's driver sends acknowledgements and votes before its write is synced. */
  | "sendBeforePersist";

export interface SimulationOptions {
  /** Voters at the start: 3 or 5. */
  readonly nodes?: number;
  /** Virtual ticks of chaos before every fault heals. */
  readonly chaosTicks?: number;
  /** After healing, ticks within which a leader must be elected. */
  readonly electionTicks?: number;
  /**
   * After healing, ticks within which a proposal must be applied by every member, besides
   * `catchUpTicksPerEntry` for each committed entry (a member may have to fetch the whole log, one
   * small message at a time with the tightest limits).
   */
  readonly livenessTicks?: number;
  readonly fault?: SimFault;
  /** Receives every event of the run as it happens (for --trace). */
  readonly trace?: (line: string) => void;
}

export interface SimulationSummary {
  readonly seed: number;
  readonly nodes: number;
  readonly steps: number;
  readonly virtualTimeMs: number;
  readonly elections: number;
  readonly committedIndex: number;
  readonly proposals: number;
  readonly acknowledged: number;
  readonly faults: FaultCounts;
  /** Ticks from healing until a leader was elected. */
  readonly electionTicks: number;
  /** Ticks from healing until the liveness proposal was applied by every member. */
  readonly livenessTicks: number;
}

export interface FaultCounts {
  crashes: number;
  partitions: number;
  oneWayCuts: number;
  dropped: number;
  duplicated: number;
  laggingSyncs: number;
  confChanges: number;
  transfers: number;
  compactions: number;
  snapshotsInstalled: number;
  entryLoads: number;
}

/** A run that broke a property: the seed and step replay it. */
export class SimulationFailure extends Error {
  override readonly name = "SimulationFailure";
  constructor(
    readonly seed: number,
    readonly step: number,
    readonly timeMs: number,
    readonly property: string,
    detail: string,
    readonly recentEvents: readonly string[],
    readonly nodeCount: number,
  ) {
    super(
      `seed ${seed}, step ${step} (${timeMs}ms): ${property}: ${detail}\n` +
        `replay: npm run sim -- --seed ${seed} --nodes ${nodeCount} --trace\n` +
        `last events:\n${recentEvents.join("\n")}`,
    );
  }
}

export const TICK_MS = 10;
const DEFAULTS = { nodes: 3, chaosTicks: 600, electionTicks: 200, livenessTicks: 600 } as const;
const CATCH_UP_TICKS_PER_ENTRY = 3;
const STEPS_MAX = 3_000_000;
const HEALTHY_DELAY_MAX_MS = 5;

interface Marker {
  readonly node: SimNode;
  readonly index: number;
  readonly term: number;
}

export function runSimulation(seed: number, options: SimulationOptions = {}): SimulationSummary {
  return new Simulation(seed, options).run();
}

export class Simulation {
  readonly seed: number;
  readonly rng: Prng;
  readonly queue = new EventQueue();
  readonly trace: Trace;
  readonly checker = new Checker();
  readonly nodes = new Map<string, SimNode>();
  readonly config: Omit<RaftConfig, "id">;
  /** How often faults strike in this run, from calm (0.15) to stormy (1): the runs vary. */
  readonly storminess: number;
  readonly fault: SimFault | undefined;
  readonly nodeCount: number;
  readonly chaosEndMs: number;
  readonly electionTicksMax: number;
  readonly livenessTicksMax: number;
  livenessDeadlineMs = Infinity;
  electionTicks = -1;
  readonly faults: FaultCounts = {
    crashes: 0,
    partitions: 0,
    oneWayCuts: 0,
    dropped: 0,
    duplicated: 0,
    laggingSyncs: 0,
    confChanges: 0,
    transfers: 0,
    compactions: 0,
    snapshotsInstalled: 0,
    entryLoads: 0,
  };
  nowMs = 0;
  steps = 0;
  healed = false;
  done = false;
  proposals = 0;
  acknowledged = 0;
  livenessTicks = 0;
  nextNodeNumber = 1;

  readonly network: NetworkConditions = {
    dropRate: 0,
    duplicateRate: 0,
    delayMaxMs: HEALTHY_DELAY_MAX_MS,
    blocked: new Set(),
  };

  constructor(seed: number, options: SimulationOptions) {
    this.seed = seed;
    this.rng = new Prng(seed);
    this.trace = new Trace(options.trace);
    this.fault = options.fault;
    this.nodeCount = options.nodes ?? DEFAULTS.nodes;
    this.chaosEndMs = (options.chaosTicks ?? DEFAULTS.chaosTicks) * TICK_MS;
    this.electionTicksMax = options.electionTicks ?? DEFAULTS.electionTicks;
    this.livenessTicksMax = options.livenessTicks ?? DEFAULTS.livenessTicks;
    this.config = this.#drawConfig();
    this.storminess = this.rng.pick([0.15, 0.4, 1]);
    const voters = Array.from({ length: this.nodeCount }, () => this.newNodeId());
    for (const id of voters) this.addNode(id, { voters, learners: [] });
  }

  run(): SimulationSummary {
    this.trace.add(
      () =>
        `seed ${this.seed}: ${this.nodeCount} nodes, storminess ${this.storminess}, config ${JSON.stringify(this.config)}`,
    );
    scheduleWorkload(this);
    this.queue.schedule(this.chaosEndMs, () => this.#heal());
    while (!this.done) {
      const event = this.queue.pop();
      if (event === undefined) break;
      this.nowMs = event.timeMs;
      this.trace.timeMs = event.timeMs;
      this.steps++;
      if (this.steps > STEPS_MAX) this.#fail("runaway", `more than ${STEPS_MAX} steps`);
      this.#guard(() => {
        event.run();
        this.#checkAfterStep();
      });
    }
    return this.#summary();
  }

  newNodeId(): string {
    return `n${this.nextNodeNumber++}`;
  }

  addNode(id: string, conf: { voters: readonly string[]; learners: readonly string[] }): SimNode {
    const node: SimNode = {
      id,
      storage: MemoryStorage.create(conf),
      random: this.rng.fork(),
      tickIntervalMs: TICK_MS - 1 + this.rng.int(3),
      broken: this.fault !== undefined && id === "n1",
      raw: undefined,
      up: false,
      decommissioned: false,
      diskSlowUntilMs: 0,
      incarnation: 0,
      readyInFlight: undefined,
      appliedIndex: 0,
      appliedTerm: 0,
      stateHash: GENESIS_HASH,
      commitSeen: 0,
      prefix: [GENESIS_HASH],
      proposed: new Map(),
    };
    this.nodes.set(id, node);
    startNode(this, node);
    this.#scheduleTick(node);
    return node;
  }

  upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((node) => node.up);
  }

  /** The node that is leader in the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const node of this.nodes.values()) {
      const r = node.raw?.internals;
      if (!node.up || r?.role !== "leader") continue;
      if (best === undefined || r.term > best.raw!.internals.term) best = node;
    }
    return best;
  }

  // Checks and phases.

  #checkAfterStep(): void {
    for (const node of this.nodes.values()) {
      if (!node.up) continue;
      const r = node.raw!.internals;
      const commitIndex = r.log.commitIndex;
      if (commitIndex < node.commitSeen) {
        throw new Violation(
          "commit monotonicity",
          `${node.id}'s commit index went from ${node.commitSeen} back to ${commitIndex}`,
        );
      }
      if (commitIndex > node.commitSeen) {
        this.checker.observeCommit(node.id, node.commitSeen, commitIndex, (index) => r.log.entry(index));
        node.commitSeen = commitIndex;
      }
      if (r.role === "leader") {
        this.checker.observeLeader(node.id, r.term, (index) => {
          if (index <= r.log.snapshot.index) return "compacted";
          return r.log.term(index) ?? node.storage.termAt(index);
        });
      }
    }
  }

  #heal(): void {
    this.healed = true;
    Object.assign(this.network, { dropRate: 0, duplicateRate: 0, delayMaxMs: HEALTHY_DELAY_MAX_MS });
    this.network.blocked.clear();
    for (const node of this.nodes.values()) {
      node.diskSlowUntilMs = 0;
      if (!node.up && !node.decommissioned) startNode(this, node);
    }
    const ticks = this.livenessTicksMax + CATCH_UP_TICKS_PER_ENTRY * this.checker.committedMax;
    this.livenessDeadlineMs = this.nowMs + ticks * TICK_MS;
    this.trace.add(
      () => `every fault heals; a leader within ${this.electionTicksMax} ticks, a commit everywhere within ${ticks}`,
    );
    this.#awaitLiveness(undefined);
  }

  /** After healing: a leader is elected, and a proposal made then is applied by every member. */
  #awaitLiveness(marker: Marker | undefined): void {
    const elapsedTicks = Math.round((this.nowMs - this.chaosEndMs) / TICK_MS);
    if (this.electionTicks < 0 && this.leader() !== undefined) this.electionTicks = elapsedTicks;
    if (this.electionTicks < 0 && elapsedTicks > this.electionTicksMax) {
      this.#fail("liveness", `no leader ${this.electionTicksMax} ticks after healing`);
    }
    if (this.nowMs > this.livenessDeadlineMs) {
      const what =
        marker === undefined
          ? "no leader could take a proposal"
          : `proposal ${marker.index}/t${marker.term} was not applied by every member`;
      this.#fail("liveness", `${this.livenessDeadlineMs - this.chaosEndMs}ms after healing, ${what}`);
    }
    if (marker !== undefined && this.#markerApplied(marker)) {
      this.livenessTicks = Math.round((this.nowMs - this.chaosEndMs) / TICK_MS);
      this.trace.add(() => `liveness: proposal ${marker.index} applied by every member`);
      this.done = true;
      return;
    }
    // A proposal its leader lost before committing it is made again at the next leader.
    const lost =
      marker !== undefined &&
      marker.node.raw?.internals.term !== marker.term &&
      this.checker.committedAt(marker.index)?.term !== marker.term;
    const next = marker === undefined || lost ? this.#proposeMarker() : marker;
    this.queue.schedule(this.nowMs + TICK_MS, () => this.#awaitLiveness(next));
  }

  #markerApplied(marker: Marker): boolean {
    if (this.checker.committedAt(marker.index)?.term !== marker.term) return false;
    const members = this.#liveMembers();
    return members.length > 0 && members.every((node) => node.up && node.appliedIndex >= marker.index);
  }

  #proposeMarker(): Marker | undefined {
    const leader = this.leader();
    if (leader === undefined) return undefined;
    const result = leader.raw!.propose(new TextEncoder().encode(`live-${this.seed}`), this.nowMs);
    if (!result.ok) return undefined;
    this.trace.add(() => `liveness proposal at ${leader.id}: ${result.index}/t${result.term}`);
    return { node: leader, index: result.index, term: result.term };
  }

  #liveMembers(): SimNode[] {
    const leader = this.leader();
    const conf = leader?.raw!.internals.conf;
    if (conf === undefined) return [];
    return [...conf.voters, ...conf.learners].map((id) => this.nodes.get(id)!).filter((node) => !node.decommissioned);
  }

  #guard(body: () => void): void {
    try {
      body();
    } catch (error) {
      if (error instanceof SimulationFailure) throw error;
      if (error instanceof Violation) this.#fail(error.property, error.detail);
      if (error instanceof AssertionError) this.#fail("assertion", error.message);
      throw error;
    }
  }

  #fail(property: string, detail: string): never {
    throw new SimulationFailure(
      this.seed,
      this.steps,
      this.nowMs,
      property,
      detail,
      this.trace.recent(),
      this.nodeCount,
    );
  }

  #scheduleTick(node: SimNode): void {
    this.queue.schedule(this.nowMs + node.tickIntervalMs, () => {
      if (node.up) {
        this.#failureDetector(node);
        node.raw!.tick();
        pump(this, node);
      }
      this.#scheduleTick(node);
    });
  }

  /**
   * What a broker's failure detector does for a quiet follower: wake it when its leader's node is down or
   * cut off from it, and now and then for no reason (a false suspicion must be harmless too).
   */
  #failureDetector(node: SimNode): void {
    const raw = node.raw!;
    if (!raw.quiesced) return;
    const leaderId = raw.status().leaderId;
    if (leaderId === "" || leaderId === raw.id) return;
    const leader = this.nodes.get(leaderId);
    const suspected =
      leader === undefined ||
      !leader.up ||
      this.network.blocked.has(`${leaderId}->${raw.id}`) ||
      this.rng.chance(0.001);
    if (suspected) {
      this.trace.add(() => `${raw.id} suspects its quiet leader ${leaderId}`);
      raw.unquiesce(true);
    }
  }

  #drawConfig(): Omit<RaftConfig, "id"> {
    const rng = this.rng;
    const maxEntriesBytesPerMessage = rng.pick([64, 128, 256, 4096]);
    return {
      electionTimeoutTicks: 10,
      heartbeatIntervalTicks: rng.pick([1, 1, 2, 3]),
      preVote: rng.chance(0.85),
      checkQuorum: rng.chance(0.85),
      maxInflightMessages: rng.range(1, 8),
      maxEntriesBytesPerMessage,
      maxUncommittedEntriesBytes: maxEntriesBytesPerMessage * rng.range(4, 64),
      maxInMemoryLogBytes: maxEntriesBytesPerMessage * rng.pick([1, 2, 8, 64]),
      maxCommittedBytesPerReady: rng.pick([64, 1024, 1 << 20]),
      quiesce: rng.chance(0.5),
    };
  }

  #summary(): SimulationSummary {
    return {
      seed: this.seed,
      nodes: this.nodeCount,
      steps: this.steps,
      virtualTimeMs: this.nowMs,
      elections: this.checker.elections,
      committedIndex: this.checker.committedMax,
      proposals: this.proposals,
      acknowledged: this.acknowledged,
      faults: { ...this.faults },
      electionTicks: this.electionTicks,
      livenessTicks: this.livenessTicks,
    };
  }
}

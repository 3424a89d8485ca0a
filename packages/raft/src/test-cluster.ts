/**
 * A small in-memory cluster of RawNodes for scenario tests: a FIFO network that can cut links, a
 * MemoryStorage per node, and a driver that follows the Ready contract (write and sync, send, apply,
 * answer loads, advance). `stabilize()` runs until no node has anything left to do. A node can be
 * `hold`-ed, so that a test processes its Readies by hand and looks at what comes out.
 */
import { assert } from "@eddy/core";

import type { RaftConfig } from "./config.js";
import { MemoryStorage } from "./memory-storage.js";
import type { Message } from "./messages.js";
import { RawNode, type Ready } from "./raw-node.js";
import { Prng } from "./sim/prng.js";
import type { ProposeResult } from "./results.js";
import { EntryType, type ConfState, type Entry } from "./types.js";

export type TestConfig = Omit<RaftConfig, "id">;

export interface TestNode {
  raw: RawNode;
  readonly storage: MemoryStorage;
  /** Everything the state machine applied, since the last snapshot it installed. */
  applied: Entry[];
  /** The index of the last snapshot installed into the state machine. */
  snapshotIndex: number;
  /** Readies are not processed by `stabilize` while held. */
  held: boolean;
  readonly config: TestConfig;
}

const STABILIZE_ROUNDS_MAX = 10_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class TestCluster {
  readonly nodes = new Map<string, TestNode>();
  /** Messages sent and not yet delivered, in order. */
  inflight: Message[] = [];
  /** Links that drop messages, as "from->to". */
  readonly #cut = new Set<string>();
  /** Loads the nodes asked for so far. */
  entryLoads = 0;
  snapshotLoads = 0;

  constructor(voters: readonly string[], config: TestConfig = {}) {
    for (const id of voters) this.add(id, { voters, learners: [] }, config);
  }

  /** Adds a node whose storage starts with configuration `conf` (empty for a node joining later). */
  add(id: string, conf: ConfState = { voters: [], learners: [] }, config: TestConfig = {}): TestNode {
    const storage = MemoryStorage.create(conf);
    const node: TestNode = {
      raw: this.#rawNode(id, storage, config),
      storage,
      applied: [],
      snapshotIndex: 0,
      held: false,
      config,
    };
    this.nodes.set(id, node);
    return node;
  }

  node(id: string): TestNode {
    const node = this.nodes.get(id);
    assert(node !== undefined, `no node ${id}`);
    return node;
  }

  raw(id: string): RawNode {
    return this.node(id).raw;
  }

  /** The data of the Records entries `id` applied, as text. */
  appliedData(id: string): string[] {
    return this.node(id)
      .applied.filter((entry) => entry.type === EntryType.Records)
      .map((entry) => decoder.decode(entry.data));
  }

  propose(id: string, text: string): ProposeResult {
    return this.raw(id).propose(encoder.encode(text));
  }

  tick(id: string, ticks = 1): void {
    for (let i = 0; i < ticks; i++) this.raw(id).tick();
  }

  tickAll(ticks = 1): void {
    for (let i = 0; i < ticks; i++) for (const node of this.nodes.values()) node.raw.tick();
  }

  /** Campaigns and runs the election to its end. */
  elect(id: string): void {
    this.raw(id).campaign();
    this.stabilize();
    assert(this.raw(id).status().role === "leader", `${id} did not become leader`);
  }

  cut(from: string, to: string): void {
    this.#cut.add(`${from}->${to}`);
  }

  isolate(id: string): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut(id, other);
      this.cut(other, id);
    }
  }

  heal(): void {
    this.#cut.clear();
  }

  /** Restarts `id` from what its storage holds (everything processed was synced). */
  restart(id: string): void {
    const node = this.node(id);
    node.storage.crash(0);
    node.raw = this.#rawNode(id, node.storage, node.config);
    node.applied = [];
    node.snapshotIndex = node.storage.snapshot().meta.index;
    this.inflight = this.inflight.filter((m) => m.to !== id);
  }

  /**
   * Gives `id` a log with these terms (entry i+1 of term terms[i]; equal index and term mean equal
   * data) and the hard state term `term`, and restarts it from that.
   */
  setLog(id: string, terms: readonly number[], term = Math.max(0, ...terms)): void {
    const entries = terms.map((entryTerm, i) => ({
      index: i + 1,
      term: entryTerm,
      type: EntryType.Records,
      timestampMs: 0,
      data: encoder.encode(`e${i + 1}/t${entryTerm}`),
    }));
    const { storage } = this.node(id);
    storage.writeReady({ entries, hardState: { term, vote: "", commitIndex: 0 } });
    storage.sync();
    this.restart(id);
  }

  /** The terms of `id`'s stored log, from its first index. */
  storedTerms(id: string): number[] {
    const { storage } = this.node(id);
    return storage.readEntries(storage.firstIndex(), storage.lastIndex() + 1, Infinity).map((entry) => entry.term);
  }

  /** Snapshots `id`'s state machine at its applied index and compacts its log there. */
  compact(id: string): number {
    const node = this.node(id);
    const { appliedIndex } = node.raw.status();
    const term = node.storage.termAt(appliedIndex);
    assert(term !== undefined, `no term at ${appliedIndex}`);
    const meta = node.raw.compactLog(appliedIndex, term);
    assert(meta !== undefined, `${id}'s log already starts after ${appliedIndex}`);
    node.storage.compact({ meta, data: encoder.encode(`state@${appliedIndex}`) });
    node.storage.sync();
    return appliedIndex;
  }

  /** Delivers every message in flight once (cut links drop theirs); returns how many were delivered. */
  deliver(filter: (m: Message) => boolean = () => true): number {
    const batch = this.inflight.filter(filter);
    this.inflight = this.inflight.filter((m) => !filter(m));
    let delivered = 0;
    for (const m of batch) {
      const target = this.nodes.get(m.to);
      if (target === undefined || this.#cut.has(`${m.from}->${m.to}`)) continue;
      target.raw.step(m);
      delivered++;
    }
    return delivered;
  }

  /** Processes Readies and delivers messages until nothing moves. */
  stabilize(): void {
    for (let round = 0; round < STABILIZE_ROUNDS_MAX; round++) {
      let moved = false;
      for (const node of this.nodes.values()) moved = this.processReadies(node) || moved;
      if (this.inflight.length > 0) {
        this.deliver();
        moved = true;
      }
      if (!moved) return;
    }
    assert(false, "the cluster did not stabilize");
  }

  /** Runs the driver for one node until it has no Ready; false when there was none. */
  processReadies(node: TestNode): boolean {
    let any = false;
    while (!node.held && node.raw.hasReady()) {
      this.processReady(node, node.raw.ready());
      any = true;
    }
    return any;
  }

  /** The driver's loop body, following the Ready contract. */
  processReady(node: TestNode, ready: Ready): void {
    const { storage, raw } = node;
    storage.writeReady(ready);
    storage.sync();
    this.inflight.push(...ready.messages, ...ready.messagesAfterPersist);
    if (ready.snapshot !== undefined) {
      node.applied = [];
      node.snapshotIndex = ready.snapshot.meta.index;
    }
    node.applied.push(...ready.committedEntries);
    raw.advance(ready);
    this.entryLoads += ready.entryLoads.length;
    this.snapshotLoads += ready.snapshotLoads.length;
    for (const load of ready.entryLoads)
      raw.entriesLoaded(load.id, storage.readEntries(load.lo, load.hi, load.maxBytes));
    for (const load of ready.snapshotLoads) raw.snapshotLoaded(load.id, storage.snapshot());
  }

  /** Each node draws its election timeouts from its own generator, seeded by its id. */
  #rawNode(id: string, storage: MemoryStorage, config: TestConfig): RawNode {
    const random = new Prng([...id].reduce((seed, ch) => seed * 31 + ch.charCodeAt(0), 7));
    return new RawNode({ ...config, id }, storage.restoredState(), () => random.next());
  }
}

export function text(value: string): Uint8Array {
  return encoder.encode(value);
}

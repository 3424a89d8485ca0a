/**
 * The simulator's safety checker (Raft §5.2, Figure 3). It sees every node after every step and keeps,
 * across the whole run, what was ever observed, so each property is checked incrementally:
 *
 * - Election safety: at most one leader per term; and what a node acted on in an election (leading,
 *   or granting a vote) is durable before it acts, so that it survives a crash.
 * - Log matching: two logs with an entry of the same index and term hold the same entries up to it.
 *   Checked on every write to a node's storage, by a hash of the whole prefix (a hash chain).
 * - Leader completeness: a leader of term T holds every entry committed in a term <= T.
 * - State machine safety: no two nodes apply different entries at one index, each applies only
 *   committed entries, and the state after each index is the same everywhere (snapshots included).
 * - Committed entries never change, and a node's commit index never goes back while it runs.
 */
import { EntryType, type Entry, type Snapshot, type SnapshotMeta } from "../types.js";

export class Violation extends Error {
  override readonly name = "Violation";
  constructor(
    readonly property: string,
    readonly detail: string,
  ) {
    super(`${property}: ${detail}`);
  }
}

/** The prefix hash of the empty log, and the state of an empty state machine. */
export const GENESIS_HASH = 0;

interface Fingerprint {
  readonly term: number;
  readonly hash: number;
}

interface AppliedRecord {
  readonly entryHash: number;
  readonly stateHash: number;
}

/** What the checker needs to look into a leader's log. */
export type TermLookup = (index: number) => number | "compacted" | undefined;

export class Checker {
  readonly #leaderOfTerm = new Map<number, string>();
  #newestLeaderTerm = 0;
  /** Prefix hash of every (index, term) ever written anywhere. */
  readonly #prefixAt = new Map<number, number>();
  readonly #committed: (Fingerprint | undefined)[] = [];
  #committedMax = 0;
  readonly #applied: (AppliedRecord | undefined)[] = [];
  /** Per node, the newest term it acted in (led, or granted a vote in) and whom it chose then. */
  readonly #electionActs = new Map<string, { term: number; vote: string }>();

  get elections(): number {
    return this.#leaderOfTerm.size;
  }

  /** The newest term anybody led. */
  get newestLeaderTerm(): number {
    return this.#newestLeaderTerm;
  }

  get committedMax(): number {
    return this.#committedMax;
  }

  committedAt(index: number): Fingerprint | undefined {
    return this.#committed[index];
  }

  /** Election safety and leader completeness, for a node that is leader of `term` now. */
  observeLeader(id: string, term: number, termAt: TermLookup): void {
    const known = this.#leaderOfTerm.get(term);
    if (known !== undefined && known !== id)
      throw new Violation("election safety", `${known} and ${id} both lead term ${term}`);
    this.#leaderOfTerm.set(term, id);
    this.#newestLeaderTerm = Math.max(this.#newestLeaderTerm, term);
    this.#actedIn(id, term, id);
    const index = this.#committedMax;
    const committed = this.#committed[index];
    if (committed === undefined || committed.term > term) return;
    const held = termAt(index);
    if (held !== "compacted" && held !== committed.term) {
      throw new Violation(
        "leader completeness",
        `${id}, leader of term ${term}, holds ${held === undefined ? "nothing" : `term ${held}`} at ${index}, where an entry of term ${committed.term} was committed`,
      );
    }
  }

  /** `id` sent a vote for `candidate` in `term`. */
  onVoteGranted(id: string, candidate: string, term: number): void {
    this.#actedIn(id, term, candidate);
  }

  /**
   * A node restarts with `term` and `vote` from its storage: whatever it acted on must have been
   * durable first, or it could vote twice in a term (so two leaders could be elected in it).
   */
  onRestart(id: string, term: number, vote: string): void {
    const acted = this.#electionActs.get(id);
    if (acted === undefined || term > acted.term) return;
    if (term < acted.term || vote !== acted.vote) {
      throw new Violation(
        "election durability",
        `${id} restarts in term ${term} with vote "${vote}", but it already acted in term ${acted.term} for ${acted.vote}`,
      );
    }
  }

  /** A node's commit index moved from `from` to `to`; `entryAt` gives its entries when it has them in memory. */
  observeCommit(id: string, from: number, to: number, entryAt: (index: number) => Entry | undefined): void {
    for (let index = from + 1; index <= to; index++) {
      const entry = entryAt(index);
      if (entry === undefined) continue; // committed through a snapshot
      const fingerprint = { term: entry.term, hash: entryHash(entry) };
      const known = this.#committed[index];
      if (known === undefined) this.#committed[index] = fingerprint;
      else if (known.term !== fingerprint.term || known.hash !== fingerprint.hash) {
        throw new Violation(
          "state machine safety",
          `${id} committed term ${entry.term} at ${index}, where term ${known.term} was committed`,
        );
      }
    }
    this.#committedMax = Math.max(this.#committedMax, to);
  }

  /** Log matching, checked on each write to a node's storage; `prefix[i]` is the prefix hash of its log at i. */
  onWrite(
    id: string,
    prefix: number[],
    write: { readonly snapshot: Snapshot | undefined; readonly entries: readonly Entry[] },
  ): void {
    if (write.snapshot !== undefined) {
      const { meta } = write.snapshot;
      prefix.length = meta.index + 1;
      prefix[meta.index] = this.#snapshotPrefix(id, meta);
    }
    for (const entry of write.entries) {
      const before = prefix[entry.index - 1];
      if (before === undefined) throw new Violation("log matching", `${id} wrote entry ${entry.index} after a gap`);
      const hash = chain(before, entryHash(entry));
      prefix[entry.index] = hash;
      const key = prefixKey(entry.index, entry.term);
      const known = this.#prefixAt.get(key);
      if (known === undefined) this.#prefixAt.set(key, hash);
      else if (known !== hash) {
        throw new Violation(
          "log matching",
          `${id} holds an entry at ${entry.index} of term ${entry.term} with a different log before it than another node's`,
        );
      }
    }
    const last = write.entries.at(-1);
    if (last !== undefined) prefix.length = last.index + 1;
  }

  /** A node's prefix hashes, recomputed from its storage after a restart. */
  rebuildPrefix(id: string, snapshot: SnapshotMeta, entries: readonly Entry[]): number[] {
    const prefix: number[] = [];
    prefix[snapshot.index] = this.#snapshotPrefix(id, snapshot);
    for (const entry of entries) prefix[entry.index] = chain(prefix[entry.index - 1]!, entryHash(entry));
    return prefix;
  }

  /** State machine safety: `id` applied `entry`, reaching state `stateHash`. */
  onApply(id: string, entry: Entry, stateHash: number): void {
    const hash = entryHash(entry);
    const committed = this.#committed[entry.index];
    if (committed === undefined || committed.term !== entry.term || committed.hash !== hash) {
      throw new Violation(
        "state machine safety",
        `${id} applied entry ${entry.index} of term ${entry.term}, which was not committed`,
      );
    }
    const known = this.#applied[entry.index];
    if (known === undefined) this.#applied[entry.index] = { entryHash: hash, stateHash };
    else if (known.entryHash !== hash || known.stateHash !== stateHash) {
      throw new Violation(
        "state machine safety",
        `${id} applied a different entry or reached a different state at ${entry.index}`,
      );
    }
  }

  /** State machine safety through snapshots: `id` installed the state at `meta.index`. */
  onSnapshotInstalled(id: string, meta: SnapshotMeta, stateHash: number): void {
    const known = this.#applied[meta.index];
    if (meta.index > 0 && known?.stateHash !== stateHash) {
      throw new Violation(
        "state machine safety",
        `${id} installed a snapshot at ${meta.index} whose state no node reached by applying`,
      );
    }
    const committed = this.#committed[meta.index];
    if (committed !== undefined && committed.term !== meta.term) {
      throw new Violation(
        "state machine safety",
        `${id} installed a snapshot at ${meta.index} of term ${meta.term}; term ${committed.term} was committed there`,
      );
    }
  }

  #actedIn(id: string, term: number, vote: string): void {
    const acted = this.#electionActs.get(id);
    if (acted === undefined || term > acted.term) this.#electionActs.set(id, { term, vote });
  }

  #snapshotPrefix(id: string, meta: SnapshotMeta): number {
    if (meta.index === 0) return GENESIS_HASH;
    const known = this.#prefixAt.get(prefixKey(meta.index, meta.term));
    if (known === undefined)
      throw new Violation(
        "log matching",
        `${id} got a snapshot at ${meta.index}/t${meta.term}, an entry no node ever wrote`,
      );
    return known;
  }
}

/** A 53-bit hash of an entry's content and position (two FNV-1a variants). */
export function entryHash(entry: Entry): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ entry.type;
  const mix = (value: number): void => {
    a = Math.imul(a ^ (value & 0xffff), 0x01000193);
    a = Math.imul(a ^ (value >>> 16), 0x01000193);
    b = Math.imul(b ^ (value & 0xffff), 0x5bd1e995);
    b = Math.imul(b ^ (value >>> 16), 0x5bd1e995) ^ (b >>> 13);
  };
  mix(entry.index);
  mix(entry.term);
  mix(entry.type === EntryType.Noop ? 1 : entry.type === EntryType.Records ? 2 : 3);
  mix(entry.timestampMs);
  for (const byte of entry.data) mix(byte);
  return combine(a, b);
}

/** The next link of a hash chain. */
export function chain(previous: number, hash: number): number {
  let a = Math.imul((previous % 0x1_0000_0000) ^ (hash >>> 0), 0x9e3779b1);
  let b = Math.imul(Math.floor(previous / 0x1_0000_0000) ^ Math.floor(hash / 0x800), 0x85ebca77);
  a ^= a >>> 15;
  b ^= (b >>> 13) ^ a;
  return combine(a, b);
}

function combine(a: number, b: number): number {
  return (b & 0x1fffff) * 0x1_0000_0000 + (a >>> 0);
}

function prefixKey(index: number, term: number): number {
  return index * 0x10_0000 + term;
}

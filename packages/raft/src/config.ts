/**
 * A Raft node's configuration: its id, its timing in ticks, and a named limit, with its unit, for every
 * queue and window the core keeps. The relations between the limits are checked when a node is built
 * (`raftConfigProblems` lists what is wrong, so that a broker can report operator input plainly).
 */
import { assert } from "@eddy/core";

const KiB = 1024;
const MiB = 1024 * KiB;

export interface RaftConfig {
  /** This node's id within the group; never reused by another node. */
  readonly id: string;
  /** A follower that hears from no leader for this long campaigns; randomized per election in [T, 2T). */
  readonly electionTimeoutTicks?: number;
  /** A leader sends heartbeats this often; well below the election timeout. */
  readonly heartbeatIntervalTicks?: number;
  /** Ask for pre-votes before bumping the term (dissertation §9.6), so a rejoining node does not disrupt. */
  readonly preVote?: boolean;
  /** A leader that has not heard from a quorum within an election timeout steps down (§6.2). */
  readonly checkQuorum?: boolean;
  /** MsgApp messages a leader keeps in flight to one follower in the replicate state. */
  readonly maxInflightMessages?: number;
  /** Entry bytes in one MsgApp (at least one entry is sent, however large). */
  readonly maxEntriesBytesPerMessage?: number;
  /** Bytes a leader accepts in proposals not yet committed; beyond it proposals are refused (backpressure). */
  readonly maxUncommittedEntriesBytes?: number;
  /**
   * Bytes of already durable, committed and applied entries kept in memory as a recent tail, so that
   * followers close behind are served without reading storage. Entries not yet durable, committed or
   * applied are always kept (they are bounded by `maxUncommittedEntriesBytes` on the leader that made them).
   */
  readonly maxInMemoryLogBytes?: number;
  /** Bytes of committed entries handed out for applying in one Ready (at least one entry). */
  readonly maxCommittedBytesPerReady?: number;
  /**
   * An idle group goes quiet: once every member holds and knows the whole log, the leader says so in one
   * last heartbeat and then sends none, and its followers stop their election timers, until a proposal,
   * any message other than that heartbeat, or `unquiesce` (the host's failure detector: the leader's
   * node stopped answering) wakes them. Hundreds of idle groups then cost nothing per tick.
   */
  readonly quiesce?: boolean;
}

export type ResolvedRaftConfig = Required<RaftConfig>;

export const RAFT_CONFIG_DEFAULTS: Omit<ResolvedRaftConfig, "id"> = {
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 1,
  preVote: true,
  checkQuorum: true,
  maxInflightMessages: 256,
  maxEntriesBytesPerMessage: 1 * MiB,
  maxUncommittedEntriesBytes: 64 * MiB,
  maxInMemoryLogBytes: 16 * MiB,
  maxCommittedBytesPerReady: 16 * MiB,
  quiesce: false,
};

/** Every way in which `config` is unusable, each naming the field and the limit; empty when it is fine. */
export function raftConfigProblems(config: RaftConfig): string[] {
  const c = withDefaults(config);
  const problems: string[] = [];
  const atLeast = (name: keyof ResolvedRaftConfig, value: number, min: number): void => {
    if (!Number.isSafeInteger(value) || value < min)
      problems.push(`${name} must be an integer >= ${min}, got ${value}`);
  };
  if (c.id === "") problems.push("id must not be empty");
  atLeast("electionTimeoutTicks", c.electionTimeoutTicks, 2);
  atLeast("heartbeatIntervalTicks", c.heartbeatIntervalTicks, 1);
  atLeast("maxInflightMessages", c.maxInflightMessages, 1);
  atLeast("maxEntriesBytesPerMessage", c.maxEntriesBytesPerMessage, 1);
  atLeast("maxUncommittedEntriesBytes", c.maxUncommittedEntriesBytes, c.maxEntriesBytesPerMessage);
  atLeast("maxInMemoryLogBytes", c.maxInMemoryLogBytes, c.maxEntriesBytesPerMessage);
  atLeast("maxCommittedBytesPerReady", c.maxCommittedBytesPerReady, 1);
  // A follower must hear several heartbeats per election timeout, or a healthy leader looks dead.
  if (c.heartbeatIntervalTicks >= c.electionTimeoutTicks)
    problems.push(
      `heartbeatIntervalTicks (${c.heartbeatIntervalTicks}) must be below electionTimeoutTicks (${c.electionTimeoutTicks})`,
    );
  return problems;
}

export function resolveRaftConfig(config: RaftConfig): ResolvedRaftConfig {
  const problems = raftConfigProblems(config);
  assert(problems.length === 0, `invalid Raft configuration: ${problems.join("; ")}`);
  return withDefaults(config);
}

function withDefaults(config: RaftConfig): ResolvedRaftConfig {
  const given = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
  return { ...RAFT_CONFIG_DEFAULTS, ...given } as ResolvedRaftConfig;
}

import {
  applyCommand,
  decodeCommand,
  emptyControllerState,
  encodeCommand,
  KinesisError,
  serviceUnavailable,
  type ControllerCommand,
  type ControllerState,
} from "@eddy/core";
import { EntryType, type ConfChange, type Entry, type Message, type RaftConfig, type SoftState } from "@eddy/raft";
import type { GroupLog } from "@eddy/storage";
import { GroupDriver } from "../raft/group-driver.js";

/** The controller is Raft group 0 on every broker; shard groups start at 1. */
export const CONTROLLER_GROUP_ID = 0;
/** Results of this many recent commands are kept, for proposers waiting on them. */
const RESULTS_KEPT = 4096;

export interface ControllerNodeHooks {
  send(message: Message): void;
  /** Persisting failed: the broker must stop. */
  failed(error: unknown): void;
  /** The state changed; called after each applied batch that changed it. */
  changed(state: ControllerState): void;
  roleChanged(state: SoftState): void;
}

export interface ControllerNodeOptions {
  readonly selfId: string;
  /** The voters of a brand-new controller group; ignored once the group has a stored configuration. */
  readonly bootstrapVoters: readonly string[];
  readonly config: Omit<RaftConfig, "id">;
  readonly sync: boolean;
  /** Bound on waiting for a proposal to be applied. */
  readonly applyTimeoutMs: number;
}

interface Applied {
  readonly term: number;
  readonly result: unknown;
}

/**
 * This broker's replica of the controller: the Raft group over the voter brokers whose log is the
 * sequence of ControllerCommands, and the state every replica gets by applying it with the pure
 * `applyCommand`. Every broker applies the same log, so a proposer learns a command's result by waiting
 * until its own replica has applied the command's index: no result ever crosses the network.
 *
 * The state is rebuilt at start by replaying the log (the controller's log is small: it changes when
 * streams and brokers do, not per record).
 */
export class ControllerNode {
  private current: ControllerState = emptyControllerState();
  private appliedIndex = 0;
  private readonly results = new Map<number, Applied>();
  private waiters: Array<{ index: number; wake: () => void }> = [];
  private role: SoftState = { role: "follower", leaderId: "" };
  private readonly driver: GroupDriver;
  /** The commit index stored at open: until the replay reaches it, the state is a past one. */
  private readonly restoredCommitIndex: number;

  private constructor(
    private readonly log: GroupLog,
    restored: Awaited<ReturnType<GroupLog["restoredState"]>>,
    private readonly options: ControllerNodeOptions,
    private readonly hooks: ControllerNodeHooks,
  ) {
    this.restoredCommitIndex = restored.hardState.commitIndex;
    const stored = restored.snapshot.conf;
    // A brand-new group: its voters are the bootstrap list if this broker is in it; a broker outside the
    // list starts with no members and waits to be added (it hears from the leader then).
    const conf =
      stored.voters.length > 0 || stored.learners.length > 0
        ? stored
        : options.bootstrapVoters.includes(options.selfId)
          ? { voters: [...options.bootstrapVoters], learners: [] }
          : stored;
    this.driver = new GroupDriver(
      CONTROLLER_GROUP_ID,
      { ...options.config, id: options.selfId },
      { ...restored, snapshot: { ...restored.snapshot, conf } },
      log,
      {
        send: hooks.send,
        apply: (entries) => this.applyCommitted(entries),
        roleChanged: (state) => {
          this.role = state;
          hooks.roleChanged(state);
        },
        failed: hooks.failed,
      },
      options.sync,
    );
  }

  /** Opens the group; committed commands are applied again from the start as Raft hands them out. */
  static async open(
    log: GroupLog,
    options: ControllerNodeOptions,
    hooks: ControllerNodeHooks,
  ): Promise<ControllerNode> {
    const restored = await log.restoredState(0);
    const node = new ControllerNode(log, restored, options, hooks);
    // Alone in the group: no one else can elect it.
    const voters = node.driver.status().conf.voters;
    if (voters.length === 1 && voters[0] === options.selfId) node.driver.campaign();
    return node;
  }

  get state(): ControllerState {
    return this.current;
  }

  get applied(): number {
    return this.appliedIndex;
  }

  /** Whether the replay of the stored log is done, so that `state` is no older than before the restart. */
  get replayed(): boolean {
    return this.appliedIndex >= this.restoredCommitIndex;
  }

  isLeader(): boolean {
    return this.role.role === "leader";
  }

  leaderId(): string {
    return this.role.leaderId;
  }

  tick(): void {
    // A quiet group's tick changes nothing.
    if (!this.driver.quiesced) this.driver.tick();
  }

  /** The failure detector's half of quiescence, as for shard groups (see ShardReplicas.wakeFollowersOf). */
  wakeIfLeaderSilent(isSilent: (brokerId: string) => boolean): void {
    const leaderId = this.role.leaderId;
    if (this.driver.quiesced && this.role.role !== "leader" && leaderId !== "" && isSilent(leaderId)) {
      this.driver.unquiesce(true);
    }
  }

  step(message: Message): void {
    this.driver.step(message);
  }

  status(): ReturnType<GroupDriver["status"]> {
    return this.driver.status();
  }

  proposeConfChange(change: ConfChange): boolean {
    return this.driver.proposeConfChange(change, Date.now()).ok;
  }

  transferLeadership(to: string): boolean {
    return this.driver.transferLeadership(to).ok;
  }

  /**
   * Leader only: proposes `command` and resolves with its index once applied here. A KinesisError when
   * this broker does not lead (NotLeader, with the leader if known) or the entry was lost to a new leader.
   */
  async proposeLocal(command: ControllerCommand): Promise<number> {
    const proposed = this.driver.propose(encodeCommand(command), Date.now(), EntryType.Records);
    if (!proposed.ok) {
      if (proposed.error.kind === "NotLeader") {
        throw new KinesisError(
          "NotLeaderException",
          `This broker does not lead the controller: ${proposed.error.message}`,
        );
      }
      throw serviceUnavailable(`The controller cannot take changes right now: ${proposed.error.message}`);
    }
    await this.waitApplied(proposed.index);
    if (this.results.get(proposed.index)?.term !== proposed.term) {
      throw serviceUnavailable("The controller's leader changed before the change committed; retry.");
    }
    return proposed.index;
  }

  /** The result of the command applied at `index` (kept for the last RESULTS_KEPT commands). */
  resultAt(index: number): unknown {
    const applied = this.results.get(index);
    if (!applied) throw serviceUnavailable(`The controller no longer holds the result of entry ${index}; retry.`);
    return applied.result;
  }

  /** Resolves once this replica has applied `index`; a retriable error after `applyTimeoutMs`. */
  waitApplied(index: number): Promise<void> {
    if (this.appliedIndex >= index) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.wake !== wake);
        reject(
          serviceUnavailable(
            `The controller did not apply entry ${index} within ${this.options.applyTimeoutMs} ms; retry.`,
          ),
        );
      }, this.options.applyTimeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ index, wake });
    });
  }

  async stop(): Promise<void> {
    await this.driver.stop();
    await this.log.flushed();
  }

  private applyCommitted(entries: readonly Entry[]): void {
    const before = this.current;
    const wasReplayed = this.replayed;
    for (const entry of entries) {
      if (entry.type === EntryType.Records) {
        const { state, result } = applyCommand(this.current, decodeCommand(entry.data));
        this.current = state;
        this.results.set(entry.index, { term: entry.term, result });
      } else {
        this.results.set(entry.index, { term: entry.term, result: undefined });
      }
      this.results.delete(entry.index - RESULTS_KEPT);
      this.appliedIndex = entry.index;
    }
    if (this.current !== before || (this.replayed && !wasReplayed)) this.hooks.changed(this.current);
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.index <= this.appliedIndex);
    this.waiters = this.waiters.filter((w) => w.index > this.appliedIndex);
    for (const waiter of ready) waiter.wake();
  }
}

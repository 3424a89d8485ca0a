/**
 * What `GET /v1/status` on a broker's admin port answers, as JSON: the broker's view of the cluster and
 * of the shard replicas it hosts. The broker serves it; `eddy cluster status`, the test kit and the
 * benchmarks read it. One definition, so that none of them can drift from what is served.
 */

export interface BrokerStatus {
  readonly brokerId: string;
  readonly zone: string;
  /** Where peers and clients reach this broker's gRPC port. */
  readonly grpc: string;
  /** The process's memory, and the part the shard tail caches hold (bounded by the broker's budget). */
  readonly memory: {
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
    readonly tailCacheBytes: number;
    readonly tailCacheBytesMax: number;
  };
  readonly controller: ControllerStatus;
  /** The controller's view of the cluster's brokers. */
  readonly brokers: readonly BrokerView[];
  /** The shard replicas this broker hosts. */
  readonly groups: readonly GroupStatus[];
}

/** A Raft group's view from one replica. `leaderId` is "" when no leader is known. */
export interface RaftGroupStatus {
  readonly role: "leader" | "follower" | "candidate" | "pre-candidate" | (string & {});
  readonly leaderId: string;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

export interface ControllerStatus extends RaftGroupStatus {
  /** The index of the controller's latest snapshot (0: none yet). */
  readonly snapshotIndex: number;
  /** Where the stored controller log starts: entries before it live only in the snapshot. */
  readonly firstIndex: number;
  /** Entries applied since this broker opened the controller, the replay after the snapshot included. */
  readonly appliedSinceOpen: number;
}

export interface BrokerView {
  readonly id: string;
  readonly zone: string;
  readonly address: string;
  readonly state: "live" | "down" | (string & {});
  /** When the controller first saw it down; only while down. */
  readonly downSinceMs?: number;
  /** Whether the answering broker has a peer stream to it (itself counts as connected). */
  readonly connected: boolean;
}

export interface GroupStatus extends RaftGroupStatus {
  readonly stream: string;
  readonly shard: string;
  readonly groupId: number;
  readonly lastIndex: number;
  /** The replicas the controller placed, preferred leader first. */
  readonly replicas: readonly string[];
  /** Leader only: how far the slowest member is behind, in entries (0 elsewhere). */
  readonly maxFollowerLag: number;
  /** Idle and quiet: no heartbeats, no election timer. */
  readonly quiesced: boolean;
}

import type { BrokerConfig } from "../config.js";
import type { ClusterNode } from "./cluster-node.js";

/** What `GET /v1/status` on the admin port answers: this broker's view of the cluster and its replicas. */
export interface BrokerStatus {
  readonly brokerId: string;
  readonly zone: string;
  readonly grpc: string | undefined;
  /** The process's memory, and the part of it the shard tail caches hold (bounded by the broker's budget). */
  readonly memory: {
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
    readonly tailCacheBytes: number;
    readonly tailCacheBytesMax: number;
  };
  readonly controller: GroupView & { readonly appliedIndex: number };
  readonly brokers: ReadonlyArray<{
    readonly id: string;
    readonly zone: string;
    readonly address: string;
    readonly state: string;
    readonly downSinceMs?: number;
    readonly connected: boolean;
  }>;
  readonly groups: ReadonlyArray<
    GroupView & {
      readonly stream: string;
      readonly shard: string;
      readonly groupId: number;
      readonly appliedIndex: number;
      readonly lastIndex: number;
      readonly replicas: readonly string[];
      readonly maxFollowerLag: number;
      /** Idle and quiet: no heartbeats, no election timer. */
      readonly quiesced: boolean;
    }
  >;
}

interface GroupView {
  readonly role: string;
  readonly leaderId: string;
  readonly term: number;
  readonly commitIndex: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

export function clusterStatus(cluster: ClusterNode, config: BrokerConfig): BrokerStatus {
  const controller = cluster.controller.status();
  return {
    brokerId: config.brokerId,
    zone: config.zone,
    grpc: cluster.addressOf(config.brokerId),
    memory: {
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      tailCacheBytes: cluster.replicas.tailCacheBudget.used,
      tailCacheBytesMax: cluster.replicas.tailCacheBudget.bytesMax,
    },
    controller: {
      role: controller.role,
      leaderId: controller.leaderId,
      term: controller.term,
      commitIndex: controller.commitIndex,
      appliedIndex: cluster.controller.applied,
      voters: controller.conf.voters,
      learners: controller.conf.learners,
    },
    brokers: [...cluster.state.brokers.values()].map((b) => ({ ...b, connected: cluster.isConnected(b.id) })),
    groups: [...cluster.replicas.statuses()].map(({ stream, shard, status, quiesced }) => ({
      quiesced,
      stream,
      shard: shard.shardId,
      groupId: shard.groupId,
      role: status.role,
      leaderId: status.leaderId,
      term: status.term,
      commitIndex: status.commitIndex,
      appliedIndex: status.appliedIndex,
      lastIndex: status.lastIndex,
      voters: status.conf.voters,
      learners: status.conf.learners,
      replicas: shard.replicas,
      maxFollowerLag:
        status.role === "leader" ? Math.max(0, ...status.progress.map((p) => status.lastIndex - p.match)) : 0,
    })),
  };
}

import type { BrokerStatus } from "@eddy/api";
import type { BrokerConfig } from "../config.js";
import type { ClusterNode } from "./cluster-node.js";

/** This broker's answer to `GET /v1/status` (the contract is in @eddy/api). */
export function clusterStatus(cluster: ClusterNode, config: BrokerConfig): BrokerStatus {
  const controller = cluster.controller.status();
  return {
    brokerId: config.brokerId,
    zone: config.zone,
    grpc: cluster.advertisedAddress,
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
      ...cluster.controller.snapshotStatus(),
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

import { fromServiceError, grpc, GRPC_CHANNEL_OPTIONS, loadClusterService } from "@eddy/api";
import type * as api from "@eddy/api";
import type { StoredRecord } from "./checker.js";

/** Records one ReadReplica call asks for. */
const READ_PAGE_RECORDS = 5_000;
/** Pages one replica read may take before giving up: bounds a read of a log that keeps growing. */
const READ_PAGES_MAX = 10_000;
const CALL_TIMEOUT_MS = 10_000;

export interface ReplicaLog {
  readonly brokerId: string;
  readonly shardId: string;
  readonly role: string;
  readonly commitIndex: number;
  readonly records: StoredRecord[];
}

/**
 * Reads one broker's replica of a shard from the trim horizon to its commit index, through the
 * broker's Cluster.ReadReplica call: the replica's own log, whatever its role, as a checker needs it.
 * `undefined` when the broker holds no replica of the shard. A TLS cluster's brokers answer only a
 * broker certificate of their CA: pass `credentials` made with one.
 */
export async function readReplica(
  endpoint: string,
  brokerId: string,
  streamName: string,
  shardId: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): Promise<ReplicaLog | undefined> {
  const { Client } = loadClusterService();
  const client = new Client(endpoint, credentials, GRPC_CHANNEL_OPTIONS) as unknown as api.ClusterClient;
  try {
    const records: StoredRecord[] = [];
    let fromIndex = "0";
    let fromOffset = 0;
    let last: api.ReadReplicaResponse__Output | undefined;
    for (let page = 0; page < READ_PAGES_MAX; page++) {
      let response: api.ReadReplicaResponse__Output;
      try {
        response = await call(client, {
          stream_name: streamName,
          shard_id: shardId,
          from_index: fromIndex,
          from_offset: fromOffset,
          limit: READ_PAGE_RECORDS,
        });
      } catch (error) {
        if (error instanceof Error && error.name === "ResourceNotFoundException") return undefined;
        throw error;
      }
      last = response;
      for (const r of response.records) {
        records.push({
          shardId,
          sequenceNumber: r.sequence_number,
          partitionKey: r.partition_key,
          data: Buffer.from(r.data).toString("utf8"),
        });
      }
      // Done once the read reaches past the commit index it reported.
      if (response.records.length === 0 || Number(response.next_index) > Number(response.commit_index)) break;
      fromIndex = response.next_index;
      fromOffset = response.next_offset;
    }
    return {
      brokerId,
      shardId,
      role: last?.role ?? "",
      commitIndex: Number(last?.commit_index ?? 0),
      records,
    };
  } finally {
    client.close();
  }
}

function call(client: api.ClusterClient, request: api.ReadReplicaRequest): Promise<api.ReadReplicaResponse__Output> {
  return new Promise((resolve, reject) => {
    client.ReadReplica(request, { deadline: Date.now() + CALL_TIMEOUT_MS }, (error, response) => {
      if (error) reject(fromServiceError(error));
      else resolve(response!);
    });
  });
}

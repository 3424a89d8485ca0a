import { LIMITS, TokenBucket, type LogPosition } from "@eddy/core";
import type * as api from "@eddy/api";
import type { grpc } from "@eddy/api";
import { fromServiceError } from "@eddy/api";
import type { ClusterNode } from "./cluster/cluster-node.js";
import { HOPS_MAX, hopsMetadata } from "./cluster/forward.js";
import type { Metadata } from "./cluster/metadata.js";
import type { BrokerConfig } from "./config.js";
import type { BrokerProbe } from "./metrics.js";
import { childShardMessages, iteratorTypeOf, recordMessage, type StreamService } from "./service.js";

/** How often a subscriber at the seal of a shard looks for the controller to show it closed. */
const SEALED_POLL_MS = 100;

type SubscribeCall = grpc.ServerWritableStream<api.SubscribeToShardRequest__Output, api.SubscribeToShardEvent>;

/**
 * SubscribeToShard: pushes committed records as they commit. The loop reads what is there, writes it,
 * and when caught up waits for the shard's next commit (not a timer), or for the heartbeat interval,
 * after which an empty event tells the subscriber the shard is alive. A slow subscriber is paced by
 * gRPC flow control: the loop waits for 'drain' instead of buffering without bound. On PROVISIONED
 * streams each subscriber gets its own read rate (Kinesis's enhanced fan-out).
 */
export async function serveSubscription(
  call: SubscribeCall,
  deps: { config: BrokerConfig; catalog: Metadata; cluster: ClusterNode; service: StreamService; probe: BrokerProbe },
  hops: number,
): Promise<void> {
  const { config, catalog, cluster, service, probe } = deps;
  const req = call.request;
  const { stream, shard } = await service.requireShard(catalog.requireServing(req.stream_name), req.shard_id);
  // Any replica's committed log is final, so a follower here serves as well as the leader.
  const log = cluster.localReplica(shard);
  if (!log) {
    const route = await cluster.route(shard);
    if (route.kind === "local" || hops >= HOPS_MAX)
      throw new Error(`shard ${shard.shardId}: no replica to subscribe to`);
    probe.forwarded("SubscribeToShard");
    await relaySubscription(call, cluster.streamsClient(route.address), hops);
    return;
  }
  const start = req.starting_position;
  let position: LogPosition = await service.startingPosition(log, stream, shard, {
    type: iteratorTypeOf(start?.type ?? "", "StartingPosition.Type"),
    sequenceNumber: start?.sequence_number ?? "",
    timestampMs: Number(start?.timestamp ?? 0),
    field: "StartingPosition.SequenceNumber",
  });
  const bucket =
    stream.mode === "PROVISIONED"
      ? new TokenBucket(config.shardLimits.subscriberBytesPerSec, config.shardLimits.subscriberBytesPerSec, Date.now())
      : undefined;
  let cancelled = false;
  let wakeCancelled: () => void = () => {};
  const cancelledSignal = new Promise<void>((resolve) => (wakeCancelled = resolve));
  const onCancel = () => {
    cancelled = true;
    wakeCancelled();
  };
  call.on("cancelled", onCancel);
  call.on("close", onCancel);
  probe.subscriberChanged(stream.streamName, +1);
  let lastSequenceNumber = "";
  try {
    while (!cancelled && !log.isClosed() && catalog.get(stream.streamName)?.streamId === stream.streamId) {
      const nextCommit = log.nextCommit();
      const read = await log.read(position, LIMITS.getRecordsLimitMax, config.subscribeEventBytesMax, Date.now());
      if (read.records.length > 0) {
        position = read.next;
        lastSequenceNumber = read.records.at(-1)!.sequenceNumber.toString();
        probe.recordsRead(stream.streamName, read.records.length, read.bytes, read.millisBehindLatest);
        const event: api.SubscribeToShardEvent = {
          records: read.records.map(recordMessage),
          continuation_sequence_number: lastSequenceNumber,
          millis_behind_latest: String(read.millisBehindLatest),
          child_shards: [],
        };
        if (!call.write(event)) await Promise.race([onceDrained(call), cancelledSignal]);
        if (bucket) await paceTo(bucket, config.shardLimits.subscriberBytesPerSec, read.bytes, cancelledSignal);
        continue;
      }
      if (read.ended) {
        // Sealed: once the controller shows the shard closed, say where its keys went and end.
        const current = catalog.get(stream.streamName)?.shards.find((s) => s.shardId === shard.shardId);
        if (current?.endingSequenceNumber !== undefined) {
          call.write({
            records: [],
            continuation_sequence_number: lastSequenceNumber,
            millis_behind_latest: "0",
            child_shards: childShardMessages(catalog.get(stream.streamName)!, shard.shardId),
          });
          break;
        }
      }
      const heartbeat = timer(read.ended ? SEALED_POLL_MS : config.subscribeHeartbeatMs);
      const woke = await Promise.race([
        nextCommit.then(() => "commit" as const),
        cancelledSignal.then(() => "cancel" as const),
        heartbeat.elapsed.then(() => "heartbeat" as const),
      ]);
      heartbeat.clear();
      if (woke === "heartbeat") {
        call.write({
          records: [],
          continuation_sequence_number: lastSequenceNumber,
          millis_behind_latest: "0",
          child_shards: [],
        });
      }
    }
  } finally {
    probe.subscriberChanged(stream.streamName, -1);
    call.off("cancelled", onCancel);
    call.off("close", onCancel);
  }
  if (!cancelled) call.end();
}

/** Relays a subscription served by another broker (this one holds no replica of the shard). */
function relaySubscription(call: SubscribeCall, client: api.StreamsClient, hops: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = client.SubscribeToShard(call.request, hopsMetadata(hops + 1));
    const cancel = () => upstream.cancel();
    call.on("cancelled", cancel);
    call.on("close", cancel);
    upstream.on("data", (event: api.SubscribeToShardEvent__Output) => {
      if (!call.write(event)) {
        upstream.pause();
        call.once("drain", () => upstream.resume());
      }
    });
    upstream.on("error", (error: Error & { code?: number }) => {
      call.off("cancelled", cancel);
      call.off("close", cancel);
      if (call.cancelled) resolve();
      else reject(fromServiceError(error as never));
    });
    upstream.on("end", () => {
      call.off("cancelled", cancel);
      call.off("close", cancel);
      call.end();
      resolve();
    });
  });
}

function onceDrained(call: SubscribeCall): Promise<void> {
  return new Promise((resolve) => call.once("drain", () => resolve()));
}

/** Takes `bytes` from the subscriber's bucket, waiting as long as the debt needs to be repaid. */
async function paceTo(
  bucket: TokenBucket,
  bytesPerSec: number,
  bytes: number,
  cancelled: Promise<void>,
): Promise<void> {
  bucket.take(bytes, Date.now());
  const deficit = -bucket.available(Date.now());
  if (deficit <= 0) return;
  const wait = timer(Math.ceil((deficit / bytesPerSec) * 1000));
  await Promise.race([wait.elapsed, cancelled]);
  wait.clear();
}

/** A timer that can be cleared, so that a wait ended early leaves nothing pending. */
function timer(ms: number): { elapsed: Promise<void>; clear: () => void } {
  let handle: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, ms);
  });
  return { elapsed, clear: () => clearTimeout(handle) };
}

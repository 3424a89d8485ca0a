import {
  LIMITS,
  PRODUCER_EPOCH_MAX,
  PRODUCER_SEQUENCE_MAX,
  decodeSequenceNumber,
  decodeShardIterator,
  encodeShardIterator,
  findShard,
  hashKeyOf,
  invalidArgument,
  openShards,
  parseHashKey,
  parseSequenceNumber,
  resourceNotFound,
  shardForHashKey,
  throughputExceeded,
  validateGetRecordsLimit,
  validateListLimit,
  validateMaxRecordSize,
  validatePartitionKey,
  validatePutRecordsRequest,
  validateRecordData,
  validateRetentionHours,
  validateShardCount,
  validateShardIdFormat,
  validateStreamName,
  childShardsOf,
  hashKeyRangeContains,
  constraintViolation,
  KinesisError,
  type ControllerStream,
  type BatchRecord,
  type LogPosition,
  type Shard,
  type ShardIteratorType,
  type ShardLimits,
  type Stream,
  type StreamMode,
} from "@eddy/core";
import type * as api from "@eddy/api";
import type { ClusterNode } from "./cluster/cluster-node.js";
import { forwardUnary, HOPS_MAX } from "./cluster/forward.js";
import type { Metadata } from "./cluster/metadata.js";
import type { BrokerConfig } from "./config.js";
import type { BrokerProbe } from "./metrics.js";
import type { ProducerStamp, ShardLog } from "./shard-log.js";

/**
 * The Kinesis operations, on proto-shaped messages. Validation happens before anything changes, so a bad
 * request changes nothing; every expected failure is a KinesisError that the gRPC layer maps once.
 */
export class StreamService {
  constructor(
    private readonly config: BrokerConfig,
    private readonly catalog: Metadata,
    private readonly cluster: ClusterNode,
    private readonly probe: BrokerProbe,
  ) {}

  /**
   * Where a call for `shard` runs: the local log when this broker leads the shard, else the leader's
   * (or a replica's) address. A call already forwarded HOPS_MAX times is not forwarded again.
   */
  private async route(
    shard: Shard,
    hops: number,
    operation: string,
  ): Promise<{ log: ShardLog } | { client: api.StreamsClient }> {
    const route = await this.cluster.route(shard);
    if (route.kind === "local") return { log: route.log };
    if (hops >= HOPS_MAX) {
      throw new KinesisError(
        "NotLeaderException",
        `Broker ${this.cluster.selfId} does not lead shard ${shard.shardId}; its leader is ${route.brokerId} at ${route.address}.`,
      );
    }
    this.probe.forwarded(operation);
    return { client: this.cluster.streamsClient(route.address) };
  }

  /** The address of a shard's leader as this broker knows it, else of its preferred replica; "" if neither. */
  leaderAddress(shard: Shard): string {
    const local = this.cluster.localReplica(shard)?.roleState().leaderId;
    const leader = local || this.cluster.placement(shard)[0];
    return (leader && this.cluster.addressOf(leader)) || "";
  }

  async createStream(req: api.CreateStreamRequest__Output): Promise<api.CreateStreamResponse> {
    validateStreamName(req.stream_name);
    const mode = streamModeOf(req.stream_mode, "PROVISIONED");
    const shardCount =
      req.shard_count === 0 && mode === "ON_DEMAND" ? LIMITS.onDemandShardCountDefault : req.shard_count;
    validateShardCount(shardCount);
    const retentionPeriodHours = req.retention_period_hours || LIMITS.retentionHoursDefault;
    validateRetentionHours(retentionPeriodHours);
    const maxRecordSizeBytes = req.max_record_size_bytes || LIMITS.recordSizeBytesDefault;
    validateMaxRecordSize(maxRecordSizeBytes, "MaxRecordSizeBytes");
    await this.catalog.create({
      streamName: req.stream_name,
      shardCount,
      mode,
      retentionPeriodHours,
      maxRecordSizeBytes,
    });
    return {};
  }

  async deleteStream(req: api.DeleteStreamRequest__Output): Promise<api.DeleteStreamResponse> {
    validateStreamName(req.stream_name);
    const stream = this.catalog.require(req.stream_name);
    if (stream.status === "DELETING") return {};
    // Each broker drops its replicas when it sees DELETING; the controller's leader then forgets the stream.
    await this.catalog.markDeleting(stream.streamName);
    return {};
  }

  describeStream(req: api.DescribeStreamRequest__Output): api.DescribeStreamResponse {
    validateStreamName(req.stream_name);
    const limit = req.limit || 100;
    validateListLimit(limit, LIMITS.describeStreamLimitMax, "Limit");
    const stream = this.catalog.require(req.stream_name);
    let shards = stream.shards;
    if (req.exclusive_start_shard_id) {
      validateShardIdFormat(req.exclusive_start_shard_id, "ExclusiveStartShardId");
      shards = shards.filter((s) => s.shardId > req.exclusive_start_shard_id);
    }
    return {
      stream_description: {
        stream_name: stream.streamName,
        stream_arn: stream.streamArn,
        stream_status: stream.status,
        stream_mode: stream.mode,
        shards: shards.slice(0, limit).map((s) => shardMessage(s, this.leaderAddress(s))),
        has_more_shards: shards.length > limit,
        retention_period_hours: stream.retentionPeriodHours,
        stream_creation_timestamp: String(stream.createdAtMs),
        max_record_size_bytes: stream.maxRecordSizeBytes,
      },
    };
  }

  describeStreamSummary(req: api.DescribeStreamSummaryRequest__Output): api.DescribeStreamSummaryResponse {
    validateStreamName(req.stream_name);
    const stream = this.catalog.require(req.stream_name);
    return {
      stream_description_summary: {
        stream_name: stream.streamName,
        stream_arn: stream.streamArn,
        stream_status: stream.status,
        stream_mode: stream.mode,
        retention_period_hours: stream.retentionPeriodHours,
        stream_creation_timestamp: String(stream.createdAtMs),
        open_shard_count: openShards(stream).length,
        consumer_count: 0,
        max_record_size_bytes: stream.maxRecordSizeBytes,
      },
    };
  }

  listStreams(req: api.ListStreamsRequest__Output): api.ListStreamsResponse {
    const limit = req.limit || 100;
    validateListLimit(limit, LIMITS.listLimitMax, "Limit");
    const after = req.next_token ? decodeNameToken(req.next_token) : req.exclusive_start_stream_name;
    if (req.exclusive_start_stream_name)
      validateStreamName(req.exclusive_start_stream_name, "ExclusiveStartStreamName");
    const streams = this.catalog.list().filter((s) => !after || s.streamName > after);
    const page = streams.slice(0, limit);
    const hasMore = streams.length > limit;
    return {
      stream_names: page.map((s) => s.streamName),
      has_more_streams: hasMore,
      next_token: hasMore ? encodeNameToken(page.at(-1)!.streamName) : "",
      stream_summaries: page.map((s) => ({
        stream_name: s.streamName,
        stream_arn: s.streamArn,
        stream_status: s.status,
        stream_mode: s.mode,
        stream_creation_timestamp: String(s.createdAtMs),
      })),
    };
  }

  listShards(req: api.ListShardsRequest__Output): api.ListShardsResponse {
    const maxResults = req.max_results || 1000;
    validateListLimit(maxResults, LIMITS.listLimitMax, "MaxResults");
    let streamName = req.stream_name;
    let after = req.exclusive_start_shard_id;
    if (req.next_token) {
      if (req.stream_name) throw invalidArgument("NextToken and StreamName cannot be provided together.");
      [streamName, after] = decodeShardsToken(req.next_token);
    }
    validateStreamName(streamName);
    if (after) validateShardIdFormat(after, "ExclusiveStartShardId");
    const stream = this.catalog.require(streamName);
    let shards: readonly Shard[] = stream.shards.filter((s) => !after || s.shardId > after);
    const filter = req.shard_filter;
    if (filter && filter.type !== "SHARD_FILTER_TYPE_UNSPECIFIED") shards = this.filterShards(stream, shards, filter);
    const page = shards.slice(0, maxResults);
    const hasMore = shards.length > maxResults;
    return {
      shards: page.map((s) => shardMessage(s, this.leaderAddress(s))),
      next_token: hasMore ? encodeShardsToken(stream.streamName, page.at(-1)!.shardId) : "",
    };
  }

  /**
   * Kinesis's ShardFilter. A child shard opened when its parents closed; a shard whose parents are gone
   * (forgotten past retention) or that has none was open at the trim horizon.
   */
  private filterShards(stream: ControllerStream, shards: readonly Shard[], filter: api.ShardFilter__Output): Shard[] {
    const closedAt = new Map(stream.shards.map((s) => [s.shardId, s.closedAtMs] as const));
    const openedAtMs = (shard: Shard): number =>
      shard.parentShardId === undefined ? stream.createdAtMs : (closedAt.get(shard.parentShardId) ?? 0);
    const openAt = (shard: Shard, ts: number): boolean => {
      const closed = closedAt.get(shard.shardId);
      return openedAtMs(shard) <= ts && (closed === undefined || closed > ts);
    };
    switch (filter.type) {
      case "AFTER_SHARD_ID":
        validateShardIdFormat(filter.shard_id, "ShardFilter.ShardId");
        return shards.filter((s) => s.shardId > filter.shard_id);
      case "AT_LATEST":
        return shards.filter((s) => s.endingSequenceNumber === undefined);
      case "AT_TRIM_HORIZON":
        return shards.filter((s) =>
          [s.parentShardId, s.adjacentParentShardId].every((p) => p === undefined || !closedAt.has(p)),
        );
      case "FROM_TRIM_HORIZON":
        return [...shards];
      case "AT_TIMESTAMP_FILTER":
      case "FROM_TIMESTAMP": {
        const ts = Number(filter.timestamp);
        if (!(ts > 0)) throw invalidArgument("ShardFilter.Timestamp must be set for timestamp filters.");
        if (filter.type === "FROM_TIMESTAMP") {
          return shards.filter((s) => {
            const closed = closedAt.get(s.shardId);
            return closed === undefined || closed > ts;
          });
        }
        return shards.filter((s) => openAt(s, Math.max(ts, stream.createdAtMs)));
      }
      default:
        throw invalidArgument(`ShardFilter.Type ${filter.type} is not supported.`);
    }
  }

  async splitShard(req: api.SplitShardRequest__Output): Promise<api.SplitShardResponse> {
    validateStreamName(req.stream_name);
    if (!req.new_starting_hash_key) throw invalidArgument("NewStartingHashKey must be set.");
    await this.cluster.submit({
      type: "SplitShard",
      streamName: req.stream_name,
      shardToSplit: req.shard_to_split,
      newStartingHashKey: req.new_starting_hash_key,
      nowMs: Date.now(),
    });
    return {};
  }

  async mergeShards(req: api.MergeShardsRequest__Output): Promise<api.MergeShardsResponse> {
    validateStreamName(req.stream_name);
    await this.cluster.submit({
      type: "MergeShards",
      streamName: req.stream_name,
      shardToMerge: req.shard_to_merge,
      adjacentShardToMerge: req.adjacent_shard_to_merge,
      nowMs: Date.now(),
    });
    return {};
  }

  async updateShardCount(req: api.UpdateShardCountRequest__Output): Promise<api.UpdateShardCountResponse> {
    validateStreamName(req.stream_name);
    if (req.scaling_type && req.scaling_type !== "UNIFORM_SCALING") {
      throw constraintViolation("ScalingType", "satisfy enum value set: [UNIFORM_SCALING]");
    }
    const current = openShards(this.catalog.requireServing(req.stream_name)).length;
    await this.cluster.submit({
      type: "UpdateShardCount",
      streamName: req.stream_name,
      targetShardCount: req.target_shard_count,
      nowMs: Date.now(),
      shardCountTotalMax: this.config.shardCountTotalMax,
    });
    return { stream_name: req.stream_name, current_shard_count: current, target_shard_count: req.target_shard_count };
  }

  async updateRetentionPeriod(
    req: api.UpdateRetentionPeriodRequest__Output,
  ): Promise<api.UpdateRetentionPeriodResponse> {
    validateStreamName(req.stream_name);
    validateRetentionHours(req.retention_period_hours);
    this.catalog.requireServing(req.stream_name);
    await this.catalog.setRetention(req.stream_name, req.retention_period_hours);
    return {};
  }

  async updateStreamMode(req: api.UpdateStreamModeRequest__Output): Promise<api.UpdateStreamModeResponse> {
    validateStreamName(req.stream_name);
    const mode = streamModeOf(req.stream_mode, undefined);
    this.catalog.requireServing(req.stream_name);
    await this.catalog.setMode(req.stream_name, mode);
    return {};
  }

  async putRecord(req: api.PutRecordRequest__Output, hops = 0): Promise<api.PutRecordResponse> {
    validateStreamName(req.stream_name);
    const stream = this.catalog.requireServing(req.stream_name);
    const record = this.routeRecord(stream, req, "");
    const bytes = recordBytes(record.record);
    const target = await this.route(record.shard, hops, "PutRecord");
    if ("client" in target) return forwardUnary(target.client.PutRecord.bind(target.client), req, hops);
    const log = target.log;
    if (stream.mode === "PROVISIONED" && !log.throttle.tryWrite(1, bytes, Date.now())) {
      this.probe.throttled(stream.streamName, "PutRecord");
      throw throughputExceeded(writeThrottleMessage(stream, record.shard, this.config.shardLimits));
    }
    const started = performance.now();
    const result = await log.append([record.record], bytes);
    this.probe.recordsPut(stream.streamName, "PutRecord", 1, bytes, performance.now() - started);
    return {
      shard_id: record.shard.shardId,
      sequence_number: result.sequenceNumbers[0]!.toString(),
      encryption_type: "NONE",
    };
  }

  async putRecords(req: api.PutRecordsRequest__Output, hops = 0): Promise<api.PutRecordsResponse> {
    validateStreamName(req.stream_name);
    const totalBytes = req.records.reduce((n, r) => n + r.data.length + Buffer.byteLength(r.partition_key), 0);
    validatePutRecordsRequest(req.records.length, totalBytes);
    const stream = this.catalog.requireServing(req.stream_name);
    if (req.producer_id) return this.putProducerBatch(req, stream, totalBytes, hops);
    const started = performance.now();
    const results: api.PutRecordsResultEntry[] = new Array(req.records.length);
    // Entries are grouped per shard; each group is one append, so a request lands in as few batches as it spans shards.
    const perShard = new Map<Shard, { positions: number[]; records: BatchRecord[]; bytes: number }>();
    const entries = req.records;
    req.records.forEach((entry, position) => {
      let routed: RoutedRecord;
      try {
        routed = this.routeRecord(stream, entry, `Records.${position}.`);
      } catch (error) {
        results[position] = failedEntry(error);
        return;
      }
      let group = perShard.get(routed.shard);
      if (!group) perShard.set(routed.shard, (group = { positions: [], records: [], bytes: 0 }));
      group.positions.push(position);
      group.records.push(routed.record);
      group.bytes += recordBytes(routed.record);
    });
    const nowMs = Date.now();
    await Promise.all(
      [...perShard].map(async ([shard, group]) => {
        let target: Awaited<ReturnType<StreamService["route"]>>;
        try {
          target = await this.route(shard, hops, "PutRecords");
        } catch (error) {
          for (const position of group.positions) results[position] = failedEntry(error);
          return;
        }
        if ("client" in target) {
          // The shard's leader is elsewhere: its entries go there as one PutRecords, answered entry by entry.
          try {
            const sub = { stream_name: req.stream_name, records: group.positions.map((p) => entries[p]!) };
            const answer = await forwardUnary<api.PutRecordsRequest, api.PutRecordsResponse__Output>(
              target.client.PutRecords.bind(target.client),
              sub,
              hops,
            );
            group.positions.forEach((position, i) => {
              results[position] =
                answer.records?.[i] ?? failedEntry(new KinesisError("InternalFailure", "missing result"));
            });
          } catch (error) {
            for (const position of group.positions) results[position] = failedEntry(error);
          }
          return;
        }
        const log = target.log;
        if (stream.mode === "PROVISIONED" && !log.throttle.tryWrite(group.records.length, group.bytes, nowMs)) {
          this.probe.throttled(stream.streamName, "PutRecords");
          const error = throughputExceeded(writeThrottleMessage(stream, shard, this.config.shardLimits));
          for (const position of group.positions) results[position] = failedEntry(error);
          return;
        }
        try {
          const appended = await log.append(group.records, group.bytes);
          group.positions.forEach((position, i) => {
            results[position] = { shard_id: shard.shardId, sequence_number: appended.sequenceNumbers[i]!.toString() };
          });
        } catch (error) {
          for (const position of group.positions) results[position] = failedEntry(error);
        }
      }),
    );
    const failed = results.filter((r) => r.error_code).length;
    this.probe.recordsPut(
      stream.streamName,
      "PutRecords",
      req.records.length - failed,
      totalBytes,
      performance.now() - started,
    );
    return { failed_record_count: failed, records: results, encryption_type: "NONE" };
  }

  /**
   * An exactly-once producer's batch: one shard, all or nothing (its number covers every record), appended
   * at most once by the shard's leader (ShardLog.appendOnce).
   */
  private async putProducerBatch(
    req: api.PutRecordsRequest__Output,
    stream: Stream,
    totalBytes: number,
    hops: number,
  ): Promise<api.PutRecordsResponse> {
    const stamp = producerStampOf(req);
    const routed = req.records.map((entry, position) => this.routeRecord(stream, entry, `Records.${position}.`));
    // The shard the batch was numbered for, closed or not; without it, the open shard of its hash keys.
    const named = req.producer_shard_id ? (await this.requireShard(stream, req.producer_shard_id)).shard : undefined;
    const shard = named ?? routed[0]?.shard;
    if (shard === undefined) throw invalidArgument("Records must hold at least one record.");
    const outside = named ? routed.findIndex((r) => !hashKeyRangeContains(named.hashKeyRange, r.hashKey)) : -1;
    if (outside >= 0) {
      throw invalidArgument(
        `Records.${outside} does not belong to ProducerShardId ${named!.shardId}: its hash key is outside the shard's range.`,
      );
    }
    const other = named ? undefined : routed.find((r) => r.shard !== shard);
    if (other) {
      throw invalidArgument(
        `A producer batch (ProducerId set) must hold records of one shard; it has records of ${shard.shardId} ` +
          `and ${other.shard.shardId}.`,
      );
    }
    const target = await this.route(shard, hops, "PutRecords");
    if ("client" in target) {
      return forwardUnary<api.PutRecordsRequest, api.PutRecordsResponse__Output>(
        target.client.PutRecords.bind(target.client),
        req,
        hops,
      );
    }
    const log = target.log;
    const started = performance.now();
    const records = routed.map((r) => r.record);
    const bytes = records.reduce((n, r) => n + recordBytes(r), 0);
    const failAll = (error: unknown): api.PutRecordsResponse => ({
      failed_record_count: records.length,
      records: records.map(() => failedEntry(error)),
      encryption_type: "NONE",
    });
    if (stream.mode === "PROVISIONED" && !log.throttle.tryWrite(records.length, bytes, Date.now())) {
      this.probe.throttled(stream.streamName, "PutRecords");
      return failAll(throughputExceeded(writeThrottleMessage(stream, shard, this.config.shardLimits)));
    }
    let appended: Awaited<ReturnType<ShardLog["append"]>>;
    try {
      appended = await log.append(records, bytes, stamp);
    } catch (error) {
      // Fencing and a broken sequence end the producer's batch as a whole, as the call's error.
      if (error instanceof KinesisError && !error.retriable) throw error;
      return failAll(error);
    }
    this.probe.recordsPut(stream.streamName, "PutRecords", records.length, totalBytes, performance.now() - started);
    return {
      failed_record_count: 0,
      records: appended.sequenceNumbers.map((sequenceNumber) => ({
        shard_id: shard.shardId,
        sequence_number: sequenceNumber.toString(),
      })),
      encryption_type: "NONE",
    };
  }

  async initProducer(req: api.InitProducerRequest__Output): Promise<api.InitProducerResponse> {
    validateProducerId(req.producer_id);
    return { producer_epoch: String(await this.catalog.initProducer(req.producer_id)) };
  }

  private routeRecord(
    stream: Stream,
    entry: { data: Buffer; partition_key: string; explicit_hash_key: string },
    fieldPrefix: string,
  ): RoutedRecord {
    validatePartitionKey(entry.partition_key, `${fieldPrefix}PartitionKey`);
    validateRecordData(entry.data, entry.partition_key, stream.maxRecordSizeBytes, `${fieldPrefix}Data`);
    const hashKey = entry.explicit_hash_key
      ? parseHashKey(entry.explicit_hash_key, `${fieldPrefix}ExplicitHashKey`)
      : hashKeyOf(entry.partition_key);
    const shard = shardForHashKey(stream.shards, hashKey);
    if (!shard)
      throw new KinesisError("InternalFailure", `No open shard of ${stream.streamName} covers hash key ${hashKey}.`);
    return { shard, hashKey, record: { partitionKey: entry.partition_key, data: entry.data } };
  }

  async getShardIterator(req: api.GetShardIteratorRequest__Output, hops = 0): Promise<api.GetShardIteratorResponse> {
    validateStreamName(req.stream_name);
    validateShardIdFormat(req.shard_id);
    const { stream, shard } = await this.requireShard(this.catalog.requireServing(req.stream_name), req.shard_id);
    const target = await this.route(shard, hops, "GetShardIterator");
    if ("client" in target) return forwardUnary(target.client.GetShardIterator.bind(target.client), req, hops);
    const position = await this.startingPosition(target.log, stream, shard, {
      type: iteratorTypeOf(req.shard_iterator_type, "ShardIteratorType"),
      sequenceNumber: req.starting_sequence_number,
      timestampMs: Number(req.timestamp),
      field: "StartingSequenceNumber",
    });
    return { shard_iterator: this.iteratorAt(stream, shard, position, Date.now()) };
  }

  /** Where a reader starts, for each of the five iterator types. */
  async startingPosition(
    log: ShardLog,
    stream: Stream,
    shard: Shard,
    start: { type: ShardIteratorType; sequenceNumber: string; timestampMs: number; field: string },
  ): Promise<LogPosition> {
    switch (start.type) {
      case "TRIM_HORIZON":
        return log.trimHorizon();
      case "LATEST":
        return log.latest();
      case "AT_TIMESTAMP":
        if (!Number.isFinite(start.timestampMs) || start.timestampMs <= 0) {
          throw invalidArgument("Timestamp must be set for the AT_TIMESTAMP iterator type.");
        }
        return log.positionAtTime(start.timestampMs);
      case "AT_SEQUENCE_NUMBER":
      case "AFTER_SEQUENCE_NUMBER": {
        if (!start.sequenceNumber)
          throw invalidArgument(`${start.field} must be set for the ${start.type} iterator type.`);
        const decoded = decodeSequenceNumber(parseSequenceNumber(start.sequenceNumber, start.field), start.field);
        if (decoded.shardNumber !== shard.shardNumber || decoded.position.index > log.lastCommittedIndex()) {
          throw invalidArgument(
            `${start.field} ${start.sequenceNumber} used in GetShardIterator on shard ${shard.shardId} in stream ` +
              `${stream.streamName} is invalid because it did not come from this shard.`,
          );
        }
        const { index, offset } = decoded.position;
        return start.type === "AT_SEQUENCE_NUMBER" ? { index, offset } : { index, offset: offset + 1 };
      }
    }
  }

  async getRecords(req: api.GetRecordsRequest__Output, hops = 0): Promise<api.GetRecordsResponse> {
    const limit = req.limit || LIMITS.getRecordsLimitMax;
    validateGetRecordsLimit(limit);
    if (!req.shard_iterator) throw invalidArgument("ShardIterator must be set.");
    const nowMs = Date.now();
    const iterator = decodeShardIterator(
      req.shard_iterator,
      this.catalog.iteratorKey,
      nowMs,
      this.config.iteratorTtlMs,
    );
    const known = this.catalog.get(iterator.streamName);
    if (!known || known.streamId !== iterator.streamId) {
      throw resourceNotFound(`Stream ${iterator.streamName} of this ShardIterator no longer exists.`);
    }
    if (known.status === "DELETING") throw resourceNotFound(`Stream ${known.streamName} is being deleted.`);
    const { stream, shard } = await this.requireShard(known, iterator.shardId);
    const target = await this.route(shard, hops, "GetRecords");
    if ("client" in target) return forwardUnary(target.client.GetRecords.bind(target.client), req, hops);
    const log = target.log;
    if (stream.mode === "PROVISIONED" && !log.throttle.tryReadCall(nowMs)) {
      this.probe.throttled(stream.streamName, "GetRecords");
      throw throughputExceeded(
        `Rate exceeded for shard ${shard.shardId} in stream ${stream.streamName}: limits are ` +
          `${this.config.shardLimits.readCallsPerSec} GetRecords calls/s and ${this.config.shardLimits.readBytesPerSec} bytes/s per shard.`,
      );
    }
    const read = await log.read(iterator.position, limit, LIMITS.getRecordsBytesMax, nowMs);
    if (stream.mode === "PROVISIONED") log.throttle.chargeRead(read.bytes, nowMs);
    this.probe.recordsRead(stream.streamName, read.records.length, read.bytes, read.millisBehindLatest);
    // A closed shard read to its end: no next iterator, and where its keys went (once the step completed).
    const ended = read.ended && read.records.length === 0 && shard.endingSequenceNumber !== undefined;
    return {
      records: read.records.map(recordMessage),
      next_shard_iterator: ended ? "" : this.iteratorAt(stream, shard, read.next, nowMs),
      millis_behind_latest: String(read.millisBehindLatest),
      child_shards: ended ? childShardMessages(stream, shard.shardId) : [],
    };
  }

  iteratorAt(stream: Stream, shard: Shard, position: LogPosition, nowMs: number): string {
    return encodeShardIterator(
      { streamName: stream.streamName, streamId: stream.streamId, shardId: shard.shardId, position, issuedAtMs: nowMs },
      this.catalog.iteratorKey,
    );
  }

  /**
   * The stream's shard `shardId`. One this broker's metadata does not know is looked up again after a
   * read index: a reshard's child exists as soon as the controller committed the step, and a client that
   * learned of it through another broker must find it here too, not get ResourceNotFoundException.
   */
  async requireShard(stream: Stream, shardId: string): Promise<{ stream: Stream; shard: Shard }> {
    const shard = findShard(stream, shardId);
    if (shard) return { stream, shard };
    await this.cluster.freshState();
    const fresh = this.catalog.get(stream.streamName);
    const found = fresh?.streamId === stream.streamId ? findShard(fresh, shardId) : undefined;
    if (!fresh || !found) {
      throw resourceNotFound(`Shard ${shardId} in stream ${stream.streamName} under account does not exist.`);
    }
    return { stream: fresh, shard: found };
  }
}

interface RoutedRecord {
  readonly shard: Shard;
  readonly hashKey: bigint;
  readonly record: BatchRecord;
}

/** Bytes a record counts against the limits: data plus partition key, as in Kinesis. */
/** Kinesis's ChildShards of a closed shard. */
export function childShardMessages(stream: Stream, shardId: string): api.ChildShard[] {
  return childShardsOf(stream, shardId).map((child) => ({
    shard_id: child.shardId,
    parent_shards: [child.parentShardId, child.adjacentParentShardId].filter((p): p is string => p !== undefined),
    hash_key_range: {
      starting_hash_key: child.hashKeyRange.startingHashKey.toString(),
      ending_hash_key: child.hashKeyRange.endingHashKey.toString(),
    },
  }));
}

function recordBytes(record: BatchRecord): number {
  return record.data.length + Buffer.byteLength(record.partitionKey);
}

function writeThrottleMessage(stream: Stream, shard: Shard, limits: ShardLimits): string {
  return (
    `Rate exceeded for shard ${shard.shardId} in stream ${stream.streamName}: limits are ` +
    `${limits.writeRecordsPerSec} records/s and ${limits.writeBytesPerSec} bytes/s per shard.`
  );
}

export function recordMessage(record: {
  sequenceNumber: bigint;
  arrivalTimestampMs: number;
  partitionKey: string;
  data: Uint8Array;
}): api.Record {
  return {
    sequence_number: record.sequenceNumber.toString(),
    approximate_arrival_timestamp: String(record.arrivalTimestampMs),
    data: record.data,
    partition_key: record.partitionKey,
    encryption_type: "NONE",
  };
}

function failedEntry(error: unknown): api.PutRecordsResultEntry {
  if (error instanceof KinesisError) return { error_code: error.name, error_message: error.message };
  return { error_code: "InternalFailure", error_message: "Internal service failure." };
}

export function shardMessage(shard: Shard, leaderAddress = ""): api.Shard {
  return {
    leader_address: leaderAddress,
    shard_id: shard.shardId,
    parent_shard_id: shard.parentShardId ?? "",
    adjacent_parent_shard_id: shard.adjacentParentShardId ?? "",
    hash_key_range: {
      starting_hash_key: shard.hashKeyRange.startingHashKey.toString(),
      ending_hash_key: shard.hashKeyRange.endingHashKey.toString(),
    },
    sequence_number_range: {
      starting_sequence_number: shard.startingSequenceNumber.toString(),
      ending_sequence_number: shard.endingSequenceNumber?.toString() ?? "",
    },
  };
}

function streamModeOf(mode: string, fallback: StreamMode | undefined): StreamMode {
  if (mode === "PROVISIONED" || mode === "ON_DEMAND") return mode;
  if (fallback) return fallback;
  throw invalidArgument("StreamModeDetails.StreamMode must be PROVISIONED or ON_DEMAND.");
}

export function iteratorTypeOf(type: string, field: string): ShardIteratorType {
  switch (type) {
    case "TRIM_HORIZON":
    case "LATEST":
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER":
    case "AT_TIMESTAMP":
      return type;
    default:
      throw invalidArgument(
        `${field} must be one of TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP.`,
      );
  }
}

function encodeNameToken(name: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: name })).toString("base64url");
}

function decodeNameToken(token: string): string {
  const parsed = parseToken(token) as { after?: unknown };
  if (typeof parsed.after !== "string") throw invalidArgument("NextToken is invalid.");
  return parsed.after;
}

function encodeShardsToken(streamName: string, afterShardId: string): string {
  return Buffer.from(JSON.stringify({ v: 1, stream: streamName, after: afterShardId })).toString("base64url");
}

function decodeShardsToken(token: string): [string, string] {
  const parsed = parseToken(token) as { stream?: unknown; after?: unknown };
  if (typeof parsed.stream !== "string" || typeof parsed.after !== "string")
    throw invalidArgument("NextToken is invalid.");
  return [parsed.stream, parsed.after];
}

function parseToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidArgument("NextToken is invalid.");
  }
}

function validateProducerId(producerId: string): void {
  if (producerId.length < 1 || producerId.length > PRODUCER_ID_LENGTH_MAX) {
    throw invalidArgument(
      `ProducerId must be 1 to ${PRODUCER_ID_LENGTH_MAX} characters long (got ${producerId.length}).`,
    );
  }
}

/** The producer fields of a PutRecords, checked: an epoch from InitProducer and a batch number in range. */
function producerStampOf(req: api.PutRecordsRequest__Output): ProducerStamp {
  validateProducerId(req.producer_id);
  const epoch = Number(req.producer_epoch);
  const sequence = Number(req.producer_sequence);
  if (!Number.isSafeInteger(epoch) || epoch < 1 || epoch > PRODUCER_EPOCH_MAX) {
    throw invalidArgument(
      `ProducerEpoch must be an epoch from InitProducer, 1 to ${PRODUCER_EPOCH_MAX} (got ${req.producer_epoch}).`,
    );
  }
  if (!Number.isSafeInteger(sequence) || sequence < 0 || sequence > PRODUCER_SEQUENCE_MAX) {
    throw invalidArgument(`ProducerSequence must be 0 to ${PRODUCER_SEQUENCE_MAX} (got ${req.producer_sequence}).`);
  }
  return { producerId: req.producer_id, epoch, sequence };
}

const PRODUCER_ID_LENGTH_MAX = 256;

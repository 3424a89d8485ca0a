/**
 * The generated message types of the Streams service, re-exported as types (snake_case keys, as on the
 * wire). `X` is what a sender may pass; `X__Output` is what a receiver gets from the loader.
 * `StreamsHandlers` is the server interface; `StreamsClient` the raw client.
 * Keep one line per file of `gen/eddy/v1/`: a unit test checks that none is missing.
 */
export type * from "./gen/eddy/v1/ChildShard.js";
export type * from "./gen/eddy/v1/Cluster.js";
export type * from "./gen/eddy/v1/CreateStreamRequest.js";
export type * from "./gen/eddy/v1/CreateStreamResponse.js";
export type * from "./gen/eddy/v1/DeleteStreamRequest.js";
export type * from "./gen/eddy/v1/DeleteStreamResponse.js";
export type * from "./gen/eddy/v1/DescribeStreamRequest.js";
export type * from "./gen/eddy/v1/DescribeStreamResponse.js";
export type * from "./gen/eddy/v1/DescribeStreamSummaryRequest.js";
export type * from "./gen/eddy/v1/DescribeStreamSummaryResponse.js";
export type * from "./gen/eddy/v1/GetRecordsRequest.js";
export type * from "./gen/eddy/v1/GetRecordsResponse.js";
export type * from "./gen/eddy/v1/GetShardIteratorRequest.js";
export type * from "./gen/eddy/v1/GetShardIteratorResponse.js";
export type * from "./gen/eddy/v1/HashKeyRange.js";
export type * from "./gen/eddy/v1/InitProducerRequest.js";
export type * from "./gen/eddy/v1/InitProducerResponse.js";
export type * from "./gen/eddy/v1/ListShardsRequest.js";
export type * from "./gen/eddy/v1/ListShardsResponse.js";
export type * from "./gen/eddy/v1/ListStreamsRequest.js";
export type * from "./gen/eddy/v1/ListStreamsResponse.js";
export type * from "./gen/eddy/v1/ProposeCommandRequest.js";
export type * from "./gen/eddy/v1/ProposeCommandResponse.js";
export type * from "./gen/eddy/v1/PutRecordRequest.js";
export type * from "./gen/eddy/v1/PutRecordResponse.js";
export type * from "./gen/eddy/v1/PutRecordsRequest.js";
export type * from "./gen/eddy/v1/PutRecordsRequestEntry.js";
export type * from "./gen/eddy/v1/PutRecordsResponse.js";
export type * from "./gen/eddy/v1/PutRecordsResultEntry.js";
export type * from "./gen/eddy/v1/ReadReplicaRequest.js";
export type * from "./gen/eddy/v1/ReadReplicaResponse.js";
export type * from "./gen/eddy/v1/Record.js";
export type * from "./gen/eddy/v1/ReplicaRecord.js";
export type * from "./gen/eddy/v1/SequenceNumberRange.js";
export type * from "./gen/eddy/v1/Shard.js";
export type * from "./gen/eddy/v1/ShardFilter.js";
export type * from "./gen/eddy/v1/ShardFilterType.js";
export type * from "./gen/eddy/v1/ShardIteratorType.js";
export type * from "./gen/eddy/v1/StartingPosition.js";
export type * from "./gen/eddy/v1/StreamDescription.js";
export type * from "./gen/eddy/v1/StreamDescriptionSummary.js";
export type * from "./gen/eddy/v1/StreamMode.js";
export type * from "./gen/eddy/v1/StreamStatus.js";
export type * from "./gen/eddy/v1/StreamSummary.js";
export type * from "./gen/eddy/v1/Streams.js";
export type * from "./gen/eddy/v1/SubscribeToShardEvent.js";
export type * from "./gen/eddy/v1/SubscribeToShardRequest.js";
export type * from "./gen/eddy/v1/UpdateRetentionPeriodRequest.js";
export type * from "./gen/eddy/v1/UpdateRetentionPeriodResponse.js";
export type * from "./gen/eddy/v1/UpdateStreamModeRequest.js";
export type * from "./gen/eddy/v1/UpdateStreamModeResponse.js";
export type { ProtoGrpcType } from "./gen/streams.js";

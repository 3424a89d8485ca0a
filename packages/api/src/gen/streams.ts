import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChildShard as _eddy_v1_ChildShard, ChildShard__Output as _eddy_v1_ChildShard__Output } from './eddy/v1/ChildShard.js';
import type { CreateStreamRequest as _eddy_v1_CreateStreamRequest, CreateStreamRequest__Output as _eddy_v1_CreateStreamRequest__Output } from './eddy/v1/CreateStreamRequest.js';
import type { CreateStreamResponse as _eddy_v1_CreateStreamResponse, CreateStreamResponse__Output as _eddy_v1_CreateStreamResponse__Output } from './eddy/v1/CreateStreamResponse.js';
import type { DeleteStreamRequest as _eddy_v1_DeleteStreamRequest, DeleteStreamRequest__Output as _eddy_v1_DeleteStreamRequest__Output } from './eddy/v1/DeleteStreamRequest.js';
import type { DeleteStreamResponse as _eddy_v1_DeleteStreamResponse, DeleteStreamResponse__Output as _eddy_v1_DeleteStreamResponse__Output } from './eddy/v1/DeleteStreamResponse.js';
import type { DescribeStreamRequest as _eddy_v1_DescribeStreamRequest, DescribeStreamRequest__Output as _eddy_v1_DescribeStreamRequest__Output } from './eddy/v1/DescribeStreamRequest.js';
import type { DescribeStreamResponse as _eddy_v1_DescribeStreamResponse, DescribeStreamResponse__Output as _eddy_v1_DescribeStreamResponse__Output } from './eddy/v1/DescribeStreamResponse.js';
import type { DescribeStreamSummaryRequest as _eddy_v1_DescribeStreamSummaryRequest, DescribeStreamSummaryRequest__Output as _eddy_v1_DescribeStreamSummaryRequest__Output } from './eddy/v1/DescribeStreamSummaryRequest.js';
import type { DescribeStreamSummaryResponse as _eddy_v1_DescribeStreamSummaryResponse, DescribeStreamSummaryResponse__Output as _eddy_v1_DescribeStreamSummaryResponse__Output } from './eddy/v1/DescribeStreamSummaryResponse.js';
import type { GetRecordsRequest as _eddy_v1_GetRecordsRequest, GetRecordsRequest__Output as _eddy_v1_GetRecordsRequest__Output } from './eddy/v1/GetRecordsRequest.js';
import type { GetRecordsResponse as _eddy_v1_GetRecordsResponse, GetRecordsResponse__Output as _eddy_v1_GetRecordsResponse__Output } from './eddy/v1/GetRecordsResponse.js';
import type { GetShardIteratorRequest as _eddy_v1_GetShardIteratorRequest, GetShardIteratorRequest__Output as _eddy_v1_GetShardIteratorRequest__Output } from './eddy/v1/GetShardIteratorRequest.js';
import type { GetShardIteratorResponse as _eddy_v1_GetShardIteratorResponse, GetShardIteratorResponse__Output as _eddy_v1_GetShardIteratorResponse__Output } from './eddy/v1/GetShardIteratorResponse.js';
import type { HashKeyRange as _eddy_v1_HashKeyRange, HashKeyRange__Output as _eddy_v1_HashKeyRange__Output } from './eddy/v1/HashKeyRange.js';
import type { InitProducerRequest as _eddy_v1_InitProducerRequest, InitProducerRequest__Output as _eddy_v1_InitProducerRequest__Output } from './eddy/v1/InitProducerRequest.js';
import type { InitProducerResponse as _eddy_v1_InitProducerResponse, InitProducerResponse__Output as _eddy_v1_InitProducerResponse__Output } from './eddy/v1/InitProducerResponse.js';
import type { ListShardsRequest as _eddy_v1_ListShardsRequest, ListShardsRequest__Output as _eddy_v1_ListShardsRequest__Output } from './eddy/v1/ListShardsRequest.js';
import type { ListShardsResponse as _eddy_v1_ListShardsResponse, ListShardsResponse__Output as _eddy_v1_ListShardsResponse__Output } from './eddy/v1/ListShardsResponse.js';
import type { ListStreamsRequest as _eddy_v1_ListStreamsRequest, ListStreamsRequest__Output as _eddy_v1_ListStreamsRequest__Output } from './eddy/v1/ListStreamsRequest.js';
import type { ListStreamsResponse as _eddy_v1_ListStreamsResponse, ListStreamsResponse__Output as _eddy_v1_ListStreamsResponse__Output } from './eddy/v1/ListStreamsResponse.js';
import type { PutRecordRequest as _eddy_v1_PutRecordRequest, PutRecordRequest__Output as _eddy_v1_PutRecordRequest__Output } from './eddy/v1/PutRecordRequest.js';
import type { PutRecordResponse as _eddy_v1_PutRecordResponse, PutRecordResponse__Output as _eddy_v1_PutRecordResponse__Output } from './eddy/v1/PutRecordResponse.js';
import type { PutRecordsRequest as _eddy_v1_PutRecordsRequest, PutRecordsRequest__Output as _eddy_v1_PutRecordsRequest__Output } from './eddy/v1/PutRecordsRequest.js';
import type { PutRecordsRequestEntry as _eddy_v1_PutRecordsRequestEntry, PutRecordsRequestEntry__Output as _eddy_v1_PutRecordsRequestEntry__Output } from './eddy/v1/PutRecordsRequestEntry.js';
import type { PutRecordsResponse as _eddy_v1_PutRecordsResponse, PutRecordsResponse__Output as _eddy_v1_PutRecordsResponse__Output } from './eddy/v1/PutRecordsResponse.js';
import type { PutRecordsResultEntry as _eddy_v1_PutRecordsResultEntry, PutRecordsResultEntry__Output as _eddy_v1_PutRecordsResultEntry__Output } from './eddy/v1/PutRecordsResultEntry.js';
import type { Record as _eddy_v1_Record, Record__Output as _eddy_v1_Record__Output } from './eddy/v1/Record.js';
import type { SequenceNumberRange as _eddy_v1_SequenceNumberRange, SequenceNumberRange__Output as _eddy_v1_SequenceNumberRange__Output } from './eddy/v1/SequenceNumberRange.js';
import type { Shard as _eddy_v1_Shard, Shard__Output as _eddy_v1_Shard__Output } from './eddy/v1/Shard.js';
import type { ShardFilter as _eddy_v1_ShardFilter, ShardFilter__Output as _eddy_v1_ShardFilter__Output } from './eddy/v1/ShardFilter.js';
import type { StartingPosition as _eddy_v1_StartingPosition, StartingPosition__Output as _eddy_v1_StartingPosition__Output } from './eddy/v1/StartingPosition.js';
import type { StreamDescription as _eddy_v1_StreamDescription, StreamDescription__Output as _eddy_v1_StreamDescription__Output } from './eddy/v1/StreamDescription.js';
import type { StreamDescriptionSummary as _eddy_v1_StreamDescriptionSummary, StreamDescriptionSummary__Output as _eddy_v1_StreamDescriptionSummary__Output } from './eddy/v1/StreamDescriptionSummary.js';
import type { StreamSummary as _eddy_v1_StreamSummary, StreamSummary__Output as _eddy_v1_StreamSummary__Output } from './eddy/v1/StreamSummary.js';
import type { StreamsClient as _eddy_v1_StreamsClient, StreamsDefinition as _eddy_v1_StreamsDefinition } from './eddy/v1/Streams.js';
import type { SubscribeToShardEvent as _eddy_v1_SubscribeToShardEvent, SubscribeToShardEvent__Output as _eddy_v1_SubscribeToShardEvent__Output } from './eddy/v1/SubscribeToShardEvent.js';
import type { SubscribeToShardRequest as _eddy_v1_SubscribeToShardRequest, SubscribeToShardRequest__Output as _eddy_v1_SubscribeToShardRequest__Output } from './eddy/v1/SubscribeToShardRequest.js';
import type { UpdateRetentionPeriodRequest as _eddy_v1_UpdateRetentionPeriodRequest, UpdateRetentionPeriodRequest__Output as _eddy_v1_UpdateRetentionPeriodRequest__Output } from './eddy/v1/UpdateRetentionPeriodRequest.js';
import type { UpdateRetentionPeriodResponse as _eddy_v1_UpdateRetentionPeriodResponse, UpdateRetentionPeriodResponse__Output as _eddy_v1_UpdateRetentionPeriodResponse__Output } from './eddy/v1/UpdateRetentionPeriodResponse.js';
import type { UpdateStreamModeRequest as _eddy_v1_UpdateStreamModeRequest, UpdateStreamModeRequest__Output as _eddy_v1_UpdateStreamModeRequest__Output } from './eddy/v1/UpdateStreamModeRequest.js';
import type { UpdateStreamModeResponse as _eddy_v1_UpdateStreamModeResponse, UpdateStreamModeResponse__Output as _eddy_v1_UpdateStreamModeResponse__Output } from './eddy/v1/UpdateStreamModeResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  eddy: {
    v1: {
      ChildShard: MessageTypeDefinition<_eddy_v1_ChildShard, _eddy_v1_ChildShard__Output>
      CreateStreamRequest: MessageTypeDefinition<_eddy_v1_CreateStreamRequest, _eddy_v1_CreateStreamRequest__Output>
      CreateStreamResponse: MessageTypeDefinition<_eddy_v1_CreateStreamResponse, _eddy_v1_CreateStreamResponse__Output>
      DeleteStreamRequest: MessageTypeDefinition<_eddy_v1_DeleteStreamRequest, _eddy_v1_DeleteStreamRequest__Output>
      DeleteStreamResponse: MessageTypeDefinition<_eddy_v1_DeleteStreamResponse, _eddy_v1_DeleteStreamResponse__Output>
      DescribeStreamRequest: MessageTypeDefinition<_eddy_v1_DescribeStreamRequest, _eddy_v1_DescribeStreamRequest__Output>
      DescribeStreamResponse: MessageTypeDefinition<_eddy_v1_DescribeStreamResponse, _eddy_v1_DescribeStreamResponse__Output>
      DescribeStreamSummaryRequest: MessageTypeDefinition<_eddy_v1_DescribeStreamSummaryRequest, _eddy_v1_DescribeStreamSummaryRequest__Output>
      DescribeStreamSummaryResponse: MessageTypeDefinition<_eddy_v1_DescribeStreamSummaryResponse, _eddy_v1_DescribeStreamSummaryResponse__Output>
      GetRecordsRequest: MessageTypeDefinition<_eddy_v1_GetRecordsRequest, _eddy_v1_GetRecordsRequest__Output>
      GetRecordsResponse: MessageTypeDefinition<_eddy_v1_GetRecordsResponse, _eddy_v1_GetRecordsResponse__Output>
      GetShardIteratorRequest: MessageTypeDefinition<_eddy_v1_GetShardIteratorRequest, _eddy_v1_GetShardIteratorRequest__Output>
      GetShardIteratorResponse: MessageTypeDefinition<_eddy_v1_GetShardIteratorResponse, _eddy_v1_GetShardIteratorResponse__Output>
      HashKeyRange: MessageTypeDefinition<_eddy_v1_HashKeyRange, _eddy_v1_HashKeyRange__Output>
      InitProducerRequest: MessageTypeDefinition<_eddy_v1_InitProducerRequest, _eddy_v1_InitProducerRequest__Output>
      InitProducerResponse: MessageTypeDefinition<_eddy_v1_InitProducerResponse, _eddy_v1_InitProducerResponse__Output>
      ListShardsRequest: MessageTypeDefinition<_eddy_v1_ListShardsRequest, _eddy_v1_ListShardsRequest__Output>
      ListShardsResponse: MessageTypeDefinition<_eddy_v1_ListShardsResponse, _eddy_v1_ListShardsResponse__Output>
      ListStreamsRequest: MessageTypeDefinition<_eddy_v1_ListStreamsRequest, _eddy_v1_ListStreamsRequest__Output>
      ListStreamsResponse: MessageTypeDefinition<_eddy_v1_ListStreamsResponse, _eddy_v1_ListStreamsResponse__Output>
      PutRecordRequest: MessageTypeDefinition<_eddy_v1_PutRecordRequest, _eddy_v1_PutRecordRequest__Output>
      PutRecordResponse: MessageTypeDefinition<_eddy_v1_PutRecordResponse, _eddy_v1_PutRecordResponse__Output>
      PutRecordsRequest: MessageTypeDefinition<_eddy_v1_PutRecordsRequest, _eddy_v1_PutRecordsRequest__Output>
      PutRecordsRequestEntry: MessageTypeDefinition<_eddy_v1_PutRecordsRequestEntry, _eddy_v1_PutRecordsRequestEntry__Output>
      PutRecordsResponse: MessageTypeDefinition<_eddy_v1_PutRecordsResponse, _eddy_v1_PutRecordsResponse__Output>
      PutRecordsResultEntry: MessageTypeDefinition<_eddy_v1_PutRecordsResultEntry, _eddy_v1_PutRecordsResultEntry__Output>
      Record: MessageTypeDefinition<_eddy_v1_Record, _eddy_v1_Record__Output>
      SequenceNumberRange: MessageTypeDefinition<_eddy_v1_SequenceNumberRange, _eddy_v1_SequenceNumberRange__Output>
      Shard: MessageTypeDefinition<_eddy_v1_Shard, _eddy_v1_Shard__Output>
      ShardFilter: MessageTypeDefinition<_eddy_v1_ShardFilter, _eddy_v1_ShardFilter__Output>
      ShardFilterType: EnumTypeDefinition
      ShardIteratorType: EnumTypeDefinition
      StartingPosition: MessageTypeDefinition<_eddy_v1_StartingPosition, _eddy_v1_StartingPosition__Output>
      StreamDescription: MessageTypeDefinition<_eddy_v1_StreamDescription, _eddy_v1_StreamDescription__Output>
      StreamDescriptionSummary: MessageTypeDefinition<_eddy_v1_StreamDescriptionSummary, _eddy_v1_StreamDescriptionSummary__Output>
      StreamMode: EnumTypeDefinition
      StreamStatus: EnumTypeDefinition
      StreamSummary: MessageTypeDefinition<_eddy_v1_StreamSummary, _eddy_v1_StreamSummary__Output>
      Streams: SubtypeConstructor<typeof grpc.Client, _eddy_v1_StreamsClient> & { service: _eddy_v1_StreamsDefinition }
      SubscribeToShardEvent: MessageTypeDefinition<_eddy_v1_SubscribeToShardEvent, _eddy_v1_SubscribeToShardEvent__Output>
      SubscribeToShardRequest: MessageTypeDefinition<_eddy_v1_SubscribeToShardRequest, _eddy_v1_SubscribeToShardRequest__Output>
      UpdateRetentionPeriodRequest: MessageTypeDefinition<_eddy_v1_UpdateRetentionPeriodRequest, _eddy_v1_UpdateRetentionPeriodRequest__Output>
      UpdateRetentionPeriodResponse: MessageTypeDefinition<_eddy_v1_UpdateRetentionPeriodResponse, _eddy_v1_UpdateRetentionPeriodResponse__Output>
      UpdateStreamModeRequest: MessageTypeDefinition<_eddy_v1_UpdateStreamModeRequest, _eddy_v1_UpdateStreamModeRequest__Output>
      UpdateStreamModeResponse: MessageTypeDefinition<_eddy_v1_UpdateStreamModeResponse, _eddy_v1_UpdateStreamModeResponse__Output>
    }
  }
}


import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplicationDescription as _eddy_v1_ApplicationDescription, ApplicationDescription__Output as _eddy_v1_ApplicationDescription__Output } from './eddy/v1/ApplicationDescription.js';
import type { ApplicationShard as _eddy_v1_ApplicationShard, ApplicationShard__Output as _eddy_v1_ApplicationShard__Output } from './eddy/v1/ApplicationShard.js';
import type { ApplicationWorker as _eddy_v1_ApplicationWorker, ApplicationWorker__Output as _eddy_v1_ApplicationWorker__Output } from './eddy/v1/ApplicationWorker.js';
import type { CheckpointRequest as _eddy_v1_CheckpointRequest, CheckpointRequest__Output as _eddy_v1_CheckpointRequest__Output } from './eddy/v1/CheckpointRequest.js';
import type { CheckpointResponse as _eddy_v1_CheckpointResponse, CheckpointResponse__Output as _eddy_v1_CheckpointResponse__Output } from './eddy/v1/CheckpointResponse.js';
import type { ChildShard as _eddy_v1_ChildShard, ChildShard__Output as _eddy_v1_ChildShard__Output } from './eddy/v1/ChildShard.js';
import type { CreateApplicationRequest as _eddy_v1_CreateApplicationRequest, CreateApplicationRequest__Output as _eddy_v1_CreateApplicationRequest__Output } from './eddy/v1/CreateApplicationRequest.js';
import type { CreateApplicationResponse as _eddy_v1_CreateApplicationResponse, CreateApplicationResponse__Output as _eddy_v1_CreateApplicationResponse__Output } from './eddy/v1/CreateApplicationResponse.js';
import type { CreatePrincipalRequest as _eddy_v1_CreatePrincipalRequest, CreatePrincipalRequest__Output as _eddy_v1_CreatePrincipalRequest__Output } from './eddy/v1/CreatePrincipalRequest.js';
import type { CreatePrincipalResponse as _eddy_v1_CreatePrincipalResponse, CreatePrincipalResponse__Output as _eddy_v1_CreatePrincipalResponse__Output } from './eddy/v1/CreatePrincipalResponse.js';
import type { CreateStreamRequest as _eddy_v1_CreateStreamRequest, CreateStreamRequest__Output as _eddy_v1_CreateStreamRequest__Output } from './eddy/v1/CreateStreamRequest.js';
import type { CreateStreamResponse as _eddy_v1_CreateStreamResponse, CreateStreamResponse__Output as _eddy_v1_CreateStreamResponse__Output } from './eddy/v1/CreateStreamResponse.js';
import type { DeleteApplicationRequest as _eddy_v1_DeleteApplicationRequest, DeleteApplicationRequest__Output as _eddy_v1_DeleteApplicationRequest__Output } from './eddy/v1/DeleteApplicationRequest.js';
import type { DeleteApplicationResponse as _eddy_v1_DeleteApplicationResponse, DeleteApplicationResponse__Output as _eddy_v1_DeleteApplicationResponse__Output } from './eddy/v1/DeleteApplicationResponse.js';
import type { DeletePrincipalRequest as _eddy_v1_DeletePrincipalRequest, DeletePrincipalRequest__Output as _eddy_v1_DeletePrincipalRequest__Output } from './eddy/v1/DeletePrincipalRequest.js';
import type { DeletePrincipalResponse as _eddy_v1_DeletePrincipalResponse, DeletePrincipalResponse__Output as _eddy_v1_DeletePrincipalResponse__Output } from './eddy/v1/DeletePrincipalResponse.js';
import type { DeleteStreamRequest as _eddy_v1_DeleteStreamRequest, DeleteStreamRequest__Output as _eddy_v1_DeleteStreamRequest__Output } from './eddy/v1/DeleteStreamRequest.js';
import type { DeleteStreamResponse as _eddy_v1_DeleteStreamResponse, DeleteStreamResponse__Output as _eddy_v1_DeleteStreamResponse__Output } from './eddy/v1/DeleteStreamResponse.js';
import type { DescribeApplicationRequest as _eddy_v1_DescribeApplicationRequest, DescribeApplicationRequest__Output as _eddy_v1_DescribeApplicationRequest__Output } from './eddy/v1/DescribeApplicationRequest.js';
import type { DescribeApplicationResponse as _eddy_v1_DescribeApplicationResponse, DescribeApplicationResponse__Output as _eddy_v1_DescribeApplicationResponse__Output } from './eddy/v1/DescribeApplicationResponse.js';
import type { DescribeStreamRequest as _eddy_v1_DescribeStreamRequest, DescribeStreamRequest__Output as _eddy_v1_DescribeStreamRequest__Output } from './eddy/v1/DescribeStreamRequest.js';
import type { DescribeStreamResponse as _eddy_v1_DescribeStreamResponse, DescribeStreamResponse__Output as _eddy_v1_DescribeStreamResponse__Output } from './eddy/v1/DescribeStreamResponse.js';
import type { DescribeStreamSummaryRequest as _eddy_v1_DescribeStreamSummaryRequest, DescribeStreamSummaryRequest__Output as _eddy_v1_DescribeStreamSummaryRequest__Output } from './eddy/v1/DescribeStreamSummaryRequest.js';
import type { DescribeStreamSummaryResponse as _eddy_v1_DescribeStreamSummaryResponse, DescribeStreamSummaryResponse__Output as _eddy_v1_DescribeStreamSummaryResponse__Output } from './eddy/v1/DescribeStreamSummaryResponse.js';
import type { GetRecordsRequest as _eddy_v1_GetRecordsRequest, GetRecordsRequest__Output as _eddy_v1_GetRecordsRequest__Output } from './eddy/v1/GetRecordsRequest.js';
import type { GetRecordsResponse as _eddy_v1_GetRecordsResponse, GetRecordsResponse__Output as _eddy_v1_GetRecordsResponse__Output } from './eddy/v1/GetRecordsResponse.js';
import type { GetShardIteratorRequest as _eddy_v1_GetShardIteratorRequest, GetShardIteratorRequest__Output as _eddy_v1_GetShardIteratorRequest__Output } from './eddy/v1/GetShardIteratorRequest.js';
import type { GetShardIteratorResponse as _eddy_v1_GetShardIteratorResponse, GetShardIteratorResponse__Output as _eddy_v1_GetShardIteratorResponse__Output } from './eddy/v1/GetShardIteratorResponse.js';
import type { GrantPermissionRequest as _eddy_v1_GrantPermissionRequest, GrantPermissionRequest__Output as _eddy_v1_GrantPermissionRequest__Output } from './eddy/v1/GrantPermissionRequest.js';
import type { GrantPermissionResponse as _eddy_v1_GrantPermissionResponse, GrantPermissionResponse__Output as _eddy_v1_GrantPermissionResponse__Output } from './eddy/v1/GrantPermissionResponse.js';
import type { HashKeyRange as _eddy_v1_HashKeyRange, HashKeyRange__Output as _eddy_v1_HashKeyRange__Output } from './eddy/v1/HashKeyRange.js';
import type { HeldLease as _eddy_v1_HeldLease, HeldLease__Output as _eddy_v1_HeldLease__Output } from './eddy/v1/HeldLease.js';
import type { InitProducerRequest as _eddy_v1_InitProducerRequest, InitProducerRequest__Output as _eddy_v1_InitProducerRequest__Output } from './eddy/v1/InitProducerRequest.js';
import type { InitProducerResponse as _eddy_v1_InitProducerResponse, InitProducerResponse__Output as _eddy_v1_InitProducerResponse__Output } from './eddy/v1/InitProducerResponse.js';
import type { ListApplicationsRequest as _eddy_v1_ListApplicationsRequest, ListApplicationsRequest__Output as _eddy_v1_ListApplicationsRequest__Output } from './eddy/v1/ListApplicationsRequest.js';
import type { ListApplicationsResponse as _eddy_v1_ListApplicationsResponse, ListApplicationsResponse__Output as _eddy_v1_ListApplicationsResponse__Output } from './eddy/v1/ListApplicationsResponse.js';
import type { ListPrincipalsRequest as _eddy_v1_ListPrincipalsRequest, ListPrincipalsRequest__Output as _eddy_v1_ListPrincipalsRequest__Output } from './eddy/v1/ListPrincipalsRequest.js';
import type { ListPrincipalsResponse as _eddy_v1_ListPrincipalsResponse, ListPrincipalsResponse__Output as _eddy_v1_ListPrincipalsResponse__Output } from './eddy/v1/ListPrincipalsResponse.js';
import type { ListShardsRequest as _eddy_v1_ListShardsRequest, ListShardsRequest__Output as _eddy_v1_ListShardsRequest__Output } from './eddy/v1/ListShardsRequest.js';
import type { ListShardsResponse as _eddy_v1_ListShardsResponse, ListShardsResponse__Output as _eddy_v1_ListShardsResponse__Output } from './eddy/v1/ListShardsResponse.js';
import type { ListStreamsRequest as _eddy_v1_ListStreamsRequest, ListStreamsRequest__Output as _eddy_v1_ListStreamsRequest__Output } from './eddy/v1/ListStreamsRequest.js';
import type { ListStreamsResponse as _eddy_v1_ListStreamsResponse, ListStreamsResponse__Output as _eddy_v1_ListStreamsResponse__Output } from './eddy/v1/ListStreamsResponse.js';
import type { MergeShardsRequest as _eddy_v1_MergeShardsRequest, MergeShardsRequest__Output as _eddy_v1_MergeShardsRequest__Output } from './eddy/v1/MergeShardsRequest.js';
import type { MergeShardsResponse as _eddy_v1_MergeShardsResponse, MergeShardsResponse__Output as _eddy_v1_MergeShardsResponse__Output } from './eddy/v1/MergeShardsResponse.js';
import type { PermissionGrant as _eddy_v1_PermissionGrant, PermissionGrant__Output as _eddy_v1_PermissionGrant__Output } from './eddy/v1/PermissionGrant.js';
import type { Principal as _eddy_v1_Principal, Principal__Output as _eddy_v1_Principal__Output } from './eddy/v1/Principal.js';
import type { PutRecordRequest as _eddy_v1_PutRecordRequest, PutRecordRequest__Output as _eddy_v1_PutRecordRequest__Output } from './eddy/v1/PutRecordRequest.js';
import type { PutRecordResponse as _eddy_v1_PutRecordResponse, PutRecordResponse__Output as _eddy_v1_PutRecordResponse__Output } from './eddy/v1/PutRecordResponse.js';
import type { PutRecordsRequest as _eddy_v1_PutRecordsRequest, PutRecordsRequest__Output as _eddy_v1_PutRecordsRequest__Output } from './eddy/v1/PutRecordsRequest.js';
import type { PutRecordsRequestEntry as _eddy_v1_PutRecordsRequestEntry, PutRecordsRequestEntry__Output as _eddy_v1_PutRecordsRequestEntry__Output } from './eddy/v1/PutRecordsRequestEntry.js';
import type { PutRecordsResponse as _eddy_v1_PutRecordsResponse, PutRecordsResponse__Output as _eddy_v1_PutRecordsResponse__Output } from './eddy/v1/PutRecordsResponse.js';
import type { PutRecordsResultEntry as _eddy_v1_PutRecordsResultEntry, PutRecordsResultEntry__Output as _eddy_v1_PutRecordsResultEntry__Output } from './eddy/v1/PutRecordsResultEntry.js';
import type { Record as _eddy_v1_Record, Record__Output as _eddy_v1_Record__Output } from './eddy/v1/Record.js';
import type { ResetApplicationRequest as _eddy_v1_ResetApplicationRequest, ResetApplicationRequest__Output as _eddy_v1_ResetApplicationRequest__Output } from './eddy/v1/ResetApplicationRequest.js';
import type { ResetApplicationResponse as _eddy_v1_ResetApplicationResponse, ResetApplicationResponse__Output as _eddy_v1_ResetApplicationResponse__Output } from './eddy/v1/ResetApplicationResponse.js';
import type { ResumePosition as _eddy_v1_ResumePosition, ResumePosition__Output as _eddy_v1_ResumePosition__Output } from './eddy/v1/ResumePosition.js';
import type { RevokePermissionRequest as _eddy_v1_RevokePermissionRequest, RevokePermissionRequest__Output as _eddy_v1_RevokePermissionRequest__Output } from './eddy/v1/RevokePermissionRequest.js';
import type { RevokePermissionResponse as _eddy_v1_RevokePermissionResponse, RevokePermissionResponse__Output as _eddy_v1_RevokePermissionResponse__Output } from './eddy/v1/RevokePermissionResponse.js';
import type { SequenceNumberRange as _eddy_v1_SequenceNumberRange, SequenceNumberRange__Output as _eddy_v1_SequenceNumberRange__Output } from './eddy/v1/SequenceNumberRange.js';
import type { Shard as _eddy_v1_Shard, Shard__Output as _eddy_v1_Shard__Output } from './eddy/v1/Shard.js';
import type { ShardFilter as _eddy_v1_ShardFilter, ShardFilter__Output as _eddy_v1_ShardFilter__Output } from './eddy/v1/ShardFilter.js';
import type { ShardReport as _eddy_v1_ShardReport, ShardReport__Output as _eddy_v1_ShardReport__Output } from './eddy/v1/ShardReport.js';
import type { SplitShardRequest as _eddy_v1_SplitShardRequest, SplitShardRequest__Output as _eddy_v1_SplitShardRequest__Output } from './eddy/v1/SplitShardRequest.js';
import type { SplitShardResponse as _eddy_v1_SplitShardResponse, SplitShardResponse__Output as _eddy_v1_SplitShardResponse__Output } from './eddy/v1/SplitShardResponse.js';
import type { StartingPosition as _eddy_v1_StartingPosition, StartingPosition__Output as _eddy_v1_StartingPosition__Output } from './eddy/v1/StartingPosition.js';
import type { StreamDescription as _eddy_v1_StreamDescription, StreamDescription__Output as _eddy_v1_StreamDescription__Output } from './eddy/v1/StreamDescription.js';
import type { StreamDescriptionSummary as _eddy_v1_StreamDescriptionSummary, StreamDescriptionSummary__Output as _eddy_v1_StreamDescriptionSummary__Output } from './eddy/v1/StreamDescriptionSummary.js';
import type { StreamSummary as _eddy_v1_StreamSummary, StreamSummary__Output as _eddy_v1_StreamSummary__Output } from './eddy/v1/StreamSummary.js';
import type { StreamsClient as _eddy_v1_StreamsClient, StreamsDefinition as _eddy_v1_StreamsDefinition } from './eddy/v1/Streams.js';
import type { SubscribeToShardEvent as _eddy_v1_SubscribeToShardEvent, SubscribeToShardEvent__Output as _eddy_v1_SubscribeToShardEvent__Output } from './eddy/v1/SubscribeToShardEvent.js';
import type { SubscribeToShardRequest as _eddy_v1_SubscribeToShardRequest, SubscribeToShardRequest__Output as _eddy_v1_SubscribeToShardRequest__Output } from './eddy/v1/SubscribeToShardRequest.js';
import type { UpdateRetentionPeriodRequest as _eddy_v1_UpdateRetentionPeriodRequest, UpdateRetentionPeriodRequest__Output as _eddy_v1_UpdateRetentionPeriodRequest__Output } from './eddy/v1/UpdateRetentionPeriodRequest.js';
import type { UpdateRetentionPeriodResponse as _eddy_v1_UpdateRetentionPeriodResponse, UpdateRetentionPeriodResponse__Output as _eddy_v1_UpdateRetentionPeriodResponse__Output } from './eddy/v1/UpdateRetentionPeriodResponse.js';
import type { UpdateShardCountRequest as _eddy_v1_UpdateShardCountRequest, UpdateShardCountRequest__Output as _eddy_v1_UpdateShardCountRequest__Output } from './eddy/v1/UpdateShardCountRequest.js';
import type { UpdateShardCountResponse as _eddy_v1_UpdateShardCountResponse, UpdateShardCountResponse__Output as _eddy_v1_UpdateShardCountResponse__Output } from './eddy/v1/UpdateShardCountResponse.js';
import type { UpdateStreamModeRequest as _eddy_v1_UpdateStreamModeRequest, UpdateStreamModeRequest__Output as _eddy_v1_UpdateStreamModeRequest__Output } from './eddy/v1/UpdateStreamModeRequest.js';
import type { UpdateStreamModeResponse as _eddy_v1_UpdateStreamModeResponse, UpdateStreamModeResponse__Output as _eddy_v1_UpdateStreamModeResponse__Output } from './eddy/v1/UpdateStreamModeResponse.js';
import type { WorkerHeartbeatRequest as _eddy_v1_WorkerHeartbeatRequest, WorkerHeartbeatRequest__Output as _eddy_v1_WorkerHeartbeatRequest__Output } from './eddy/v1/WorkerHeartbeatRequest.js';
import type { WorkerHeartbeatResponse as _eddy_v1_WorkerHeartbeatResponse, WorkerHeartbeatResponse__Output as _eddy_v1_WorkerHeartbeatResponse__Output } from './eddy/v1/WorkerHeartbeatResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  eddy: {
    v1: {
      ApplicationDescription: MessageTypeDefinition<_eddy_v1_ApplicationDescription, _eddy_v1_ApplicationDescription__Output>
      ApplicationShard: MessageTypeDefinition<_eddy_v1_ApplicationShard, _eddy_v1_ApplicationShard__Output>
      ApplicationWorker: MessageTypeDefinition<_eddy_v1_ApplicationWorker, _eddy_v1_ApplicationWorker__Output>
      CheckpointRequest: MessageTypeDefinition<_eddy_v1_CheckpointRequest, _eddy_v1_CheckpointRequest__Output>
      CheckpointResponse: MessageTypeDefinition<_eddy_v1_CheckpointResponse, _eddy_v1_CheckpointResponse__Output>
      ChildShard: MessageTypeDefinition<_eddy_v1_ChildShard, _eddy_v1_ChildShard__Output>
      CreateApplicationRequest: MessageTypeDefinition<_eddy_v1_CreateApplicationRequest, _eddy_v1_CreateApplicationRequest__Output>
      CreateApplicationResponse: MessageTypeDefinition<_eddy_v1_CreateApplicationResponse, _eddy_v1_CreateApplicationResponse__Output>
      CreatePrincipalRequest: MessageTypeDefinition<_eddy_v1_CreatePrincipalRequest, _eddy_v1_CreatePrincipalRequest__Output>
      CreatePrincipalResponse: MessageTypeDefinition<_eddy_v1_CreatePrincipalResponse, _eddy_v1_CreatePrincipalResponse__Output>
      CreateStreamRequest: MessageTypeDefinition<_eddy_v1_CreateStreamRequest, _eddy_v1_CreateStreamRequest__Output>
      CreateStreamResponse: MessageTypeDefinition<_eddy_v1_CreateStreamResponse, _eddy_v1_CreateStreamResponse__Output>
      DeleteApplicationRequest: MessageTypeDefinition<_eddy_v1_DeleteApplicationRequest, _eddy_v1_DeleteApplicationRequest__Output>
      DeleteApplicationResponse: MessageTypeDefinition<_eddy_v1_DeleteApplicationResponse, _eddy_v1_DeleteApplicationResponse__Output>
      DeletePrincipalRequest: MessageTypeDefinition<_eddy_v1_DeletePrincipalRequest, _eddy_v1_DeletePrincipalRequest__Output>
      DeletePrincipalResponse: MessageTypeDefinition<_eddy_v1_DeletePrincipalResponse, _eddy_v1_DeletePrincipalResponse__Output>
      DeleteStreamRequest: MessageTypeDefinition<_eddy_v1_DeleteStreamRequest, _eddy_v1_DeleteStreamRequest__Output>
      DeleteStreamResponse: MessageTypeDefinition<_eddy_v1_DeleteStreamResponse, _eddy_v1_DeleteStreamResponse__Output>
      DescribeApplicationRequest: MessageTypeDefinition<_eddy_v1_DescribeApplicationRequest, _eddy_v1_DescribeApplicationRequest__Output>
      DescribeApplicationResponse: MessageTypeDefinition<_eddy_v1_DescribeApplicationResponse, _eddy_v1_DescribeApplicationResponse__Output>
      DescribeStreamRequest: MessageTypeDefinition<_eddy_v1_DescribeStreamRequest, _eddy_v1_DescribeStreamRequest__Output>
      DescribeStreamResponse: MessageTypeDefinition<_eddy_v1_DescribeStreamResponse, _eddy_v1_DescribeStreamResponse__Output>
      DescribeStreamSummaryRequest: MessageTypeDefinition<_eddy_v1_DescribeStreamSummaryRequest, _eddy_v1_DescribeStreamSummaryRequest__Output>
      DescribeStreamSummaryResponse: MessageTypeDefinition<_eddy_v1_DescribeStreamSummaryResponse, _eddy_v1_DescribeStreamSummaryResponse__Output>
      GetRecordsRequest: MessageTypeDefinition<_eddy_v1_GetRecordsRequest, _eddy_v1_GetRecordsRequest__Output>
      GetRecordsResponse: MessageTypeDefinition<_eddy_v1_GetRecordsResponse, _eddy_v1_GetRecordsResponse__Output>
      GetShardIteratorRequest: MessageTypeDefinition<_eddy_v1_GetShardIteratorRequest, _eddy_v1_GetShardIteratorRequest__Output>
      GetShardIteratorResponse: MessageTypeDefinition<_eddy_v1_GetShardIteratorResponse, _eddy_v1_GetShardIteratorResponse__Output>
      GrantPermissionRequest: MessageTypeDefinition<_eddy_v1_GrantPermissionRequest, _eddy_v1_GrantPermissionRequest__Output>
      GrantPermissionResponse: MessageTypeDefinition<_eddy_v1_GrantPermissionResponse, _eddy_v1_GrantPermissionResponse__Output>
      HashKeyRange: MessageTypeDefinition<_eddy_v1_HashKeyRange, _eddy_v1_HashKeyRange__Output>
      HeldLease: MessageTypeDefinition<_eddy_v1_HeldLease, _eddy_v1_HeldLease__Output>
      InitProducerRequest: MessageTypeDefinition<_eddy_v1_InitProducerRequest, _eddy_v1_InitProducerRequest__Output>
      InitProducerResponse: MessageTypeDefinition<_eddy_v1_InitProducerResponse, _eddy_v1_InitProducerResponse__Output>
      ListApplicationsRequest: MessageTypeDefinition<_eddy_v1_ListApplicationsRequest, _eddy_v1_ListApplicationsRequest__Output>
      ListApplicationsResponse: MessageTypeDefinition<_eddy_v1_ListApplicationsResponse, _eddy_v1_ListApplicationsResponse__Output>
      ListPrincipalsRequest: MessageTypeDefinition<_eddy_v1_ListPrincipalsRequest, _eddy_v1_ListPrincipalsRequest__Output>
      ListPrincipalsResponse: MessageTypeDefinition<_eddy_v1_ListPrincipalsResponse, _eddy_v1_ListPrincipalsResponse__Output>
      ListShardsRequest: MessageTypeDefinition<_eddy_v1_ListShardsRequest, _eddy_v1_ListShardsRequest__Output>
      ListShardsResponse: MessageTypeDefinition<_eddy_v1_ListShardsResponse, _eddy_v1_ListShardsResponse__Output>
      ListStreamsRequest: MessageTypeDefinition<_eddy_v1_ListStreamsRequest, _eddy_v1_ListStreamsRequest__Output>
      ListStreamsResponse: MessageTypeDefinition<_eddy_v1_ListStreamsResponse, _eddy_v1_ListStreamsResponse__Output>
      MergeShardsRequest: MessageTypeDefinition<_eddy_v1_MergeShardsRequest, _eddy_v1_MergeShardsRequest__Output>
      MergeShardsResponse: MessageTypeDefinition<_eddy_v1_MergeShardsResponse, _eddy_v1_MergeShardsResponse__Output>
      PermissionGrant: MessageTypeDefinition<_eddy_v1_PermissionGrant, _eddy_v1_PermissionGrant__Output>
      Principal: MessageTypeDefinition<_eddy_v1_Principal, _eddy_v1_Principal__Output>
      PutRecordRequest: MessageTypeDefinition<_eddy_v1_PutRecordRequest, _eddy_v1_PutRecordRequest__Output>
      PutRecordResponse: MessageTypeDefinition<_eddy_v1_PutRecordResponse, _eddy_v1_PutRecordResponse__Output>
      PutRecordsRequest: MessageTypeDefinition<_eddy_v1_PutRecordsRequest, _eddy_v1_PutRecordsRequest__Output>
      PutRecordsRequestEntry: MessageTypeDefinition<_eddy_v1_PutRecordsRequestEntry, _eddy_v1_PutRecordsRequestEntry__Output>
      PutRecordsResponse: MessageTypeDefinition<_eddy_v1_PutRecordsResponse, _eddy_v1_PutRecordsResponse__Output>
      PutRecordsResultEntry: MessageTypeDefinition<_eddy_v1_PutRecordsResultEntry, _eddy_v1_PutRecordsResultEntry__Output>
      Record: MessageTypeDefinition<_eddy_v1_Record, _eddy_v1_Record__Output>
      ResetApplicationRequest: MessageTypeDefinition<_eddy_v1_ResetApplicationRequest, _eddy_v1_ResetApplicationRequest__Output>
      ResetApplicationResponse: MessageTypeDefinition<_eddy_v1_ResetApplicationResponse, _eddy_v1_ResetApplicationResponse__Output>
      ResumePosition: MessageTypeDefinition<_eddy_v1_ResumePosition, _eddy_v1_ResumePosition__Output>
      RevokePermissionRequest: MessageTypeDefinition<_eddy_v1_RevokePermissionRequest, _eddy_v1_RevokePermissionRequest__Output>
      RevokePermissionResponse: MessageTypeDefinition<_eddy_v1_RevokePermissionResponse, _eddy_v1_RevokePermissionResponse__Output>
      SequenceNumberRange: MessageTypeDefinition<_eddy_v1_SequenceNumberRange, _eddy_v1_SequenceNumberRange__Output>
      Shard: MessageTypeDefinition<_eddy_v1_Shard, _eddy_v1_Shard__Output>
      ShardFilter: MessageTypeDefinition<_eddy_v1_ShardFilter, _eddy_v1_ShardFilter__Output>
      ShardFilterType: EnumTypeDefinition
      ShardIteratorType: EnumTypeDefinition
      ShardReport: MessageTypeDefinition<_eddy_v1_ShardReport, _eddy_v1_ShardReport__Output>
      SplitShardRequest: MessageTypeDefinition<_eddy_v1_SplitShardRequest, _eddy_v1_SplitShardRequest__Output>
      SplitShardResponse: MessageTypeDefinition<_eddy_v1_SplitShardResponse, _eddy_v1_SplitShardResponse__Output>
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
      UpdateShardCountRequest: MessageTypeDefinition<_eddy_v1_UpdateShardCountRequest, _eddy_v1_UpdateShardCountRequest__Output>
      UpdateShardCountResponse: MessageTypeDefinition<_eddy_v1_UpdateShardCountResponse, _eddy_v1_UpdateShardCountResponse__Output>
      UpdateStreamModeRequest: MessageTypeDefinition<_eddy_v1_UpdateStreamModeRequest, _eddy_v1_UpdateStreamModeRequest__Output>
      UpdateStreamModeResponse: MessageTypeDefinition<_eddy_v1_UpdateStreamModeResponse, _eddy_v1_UpdateStreamModeResponse__Output>
      WorkerHeartbeatRequest: MessageTypeDefinition<_eddy_v1_WorkerHeartbeatRequest, _eddy_v1_WorkerHeartbeatRequest__Output>
      WorkerHeartbeatResponse: MessageTypeDefinition<_eddy_v1_WorkerHeartbeatResponse, _eddy_v1_WorkerHeartbeatResponse__Output>
    }
  }
}


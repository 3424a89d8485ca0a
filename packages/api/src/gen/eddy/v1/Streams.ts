// Original file: proto/eddy/v1/streams.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CheckpointRequest as _eddy_v1_CheckpointRequest, CheckpointRequest__Output as _eddy_v1_CheckpointRequest__Output } from '../../eddy/v1/CheckpointRequest.js';
import type { CheckpointResponse as _eddy_v1_CheckpointResponse, CheckpointResponse__Output as _eddy_v1_CheckpointResponse__Output } from '../../eddy/v1/CheckpointResponse.js';
import type { CreateApplicationRequest as _eddy_v1_CreateApplicationRequest, CreateApplicationRequest__Output as _eddy_v1_CreateApplicationRequest__Output } from '../../eddy/v1/CreateApplicationRequest.js';
import type { CreateApplicationResponse as _eddy_v1_CreateApplicationResponse, CreateApplicationResponse__Output as _eddy_v1_CreateApplicationResponse__Output } from '../../eddy/v1/CreateApplicationResponse.js';
import type { CreatePrincipalRequest as _eddy_v1_CreatePrincipalRequest, CreatePrincipalRequest__Output as _eddy_v1_CreatePrincipalRequest__Output } from '../../eddy/v1/CreatePrincipalRequest.js';
import type { CreatePrincipalResponse as _eddy_v1_CreatePrincipalResponse, CreatePrincipalResponse__Output as _eddy_v1_CreatePrincipalResponse__Output } from '../../eddy/v1/CreatePrincipalResponse.js';
import type { CreateStreamRequest as _eddy_v1_CreateStreamRequest, CreateStreamRequest__Output as _eddy_v1_CreateStreamRequest__Output } from '../../eddy/v1/CreateStreamRequest.js';
import type { CreateStreamResponse as _eddy_v1_CreateStreamResponse, CreateStreamResponse__Output as _eddy_v1_CreateStreamResponse__Output } from '../../eddy/v1/CreateStreamResponse.js';
import type { DeleteApplicationRequest as _eddy_v1_DeleteApplicationRequest, DeleteApplicationRequest__Output as _eddy_v1_DeleteApplicationRequest__Output } from '../../eddy/v1/DeleteApplicationRequest.js';
import type { DeleteApplicationResponse as _eddy_v1_DeleteApplicationResponse, DeleteApplicationResponse__Output as _eddy_v1_DeleteApplicationResponse__Output } from '../../eddy/v1/DeleteApplicationResponse.js';
import type { DeletePrincipalRequest as _eddy_v1_DeletePrincipalRequest, DeletePrincipalRequest__Output as _eddy_v1_DeletePrincipalRequest__Output } from '../../eddy/v1/DeletePrincipalRequest.js';
import type { DeletePrincipalResponse as _eddy_v1_DeletePrincipalResponse, DeletePrincipalResponse__Output as _eddy_v1_DeletePrincipalResponse__Output } from '../../eddy/v1/DeletePrincipalResponse.js';
import type { DeleteStreamRequest as _eddy_v1_DeleteStreamRequest, DeleteStreamRequest__Output as _eddy_v1_DeleteStreamRequest__Output } from '../../eddy/v1/DeleteStreamRequest.js';
import type { DeleteStreamResponse as _eddy_v1_DeleteStreamResponse, DeleteStreamResponse__Output as _eddy_v1_DeleteStreamResponse__Output } from '../../eddy/v1/DeleteStreamResponse.js';
import type { DescribeApplicationRequest as _eddy_v1_DescribeApplicationRequest, DescribeApplicationRequest__Output as _eddy_v1_DescribeApplicationRequest__Output } from '../../eddy/v1/DescribeApplicationRequest.js';
import type { DescribeApplicationResponse as _eddy_v1_DescribeApplicationResponse, DescribeApplicationResponse__Output as _eddy_v1_DescribeApplicationResponse__Output } from '../../eddy/v1/DescribeApplicationResponse.js';
import type { DescribeStreamRequest as _eddy_v1_DescribeStreamRequest, DescribeStreamRequest__Output as _eddy_v1_DescribeStreamRequest__Output } from '../../eddy/v1/DescribeStreamRequest.js';
import type { DescribeStreamResponse as _eddy_v1_DescribeStreamResponse, DescribeStreamResponse__Output as _eddy_v1_DescribeStreamResponse__Output } from '../../eddy/v1/DescribeStreamResponse.js';
import type { DescribeStreamSummaryRequest as _eddy_v1_DescribeStreamSummaryRequest, DescribeStreamSummaryRequest__Output as _eddy_v1_DescribeStreamSummaryRequest__Output } from '../../eddy/v1/DescribeStreamSummaryRequest.js';
import type { DescribeStreamSummaryResponse as _eddy_v1_DescribeStreamSummaryResponse, DescribeStreamSummaryResponse__Output as _eddy_v1_DescribeStreamSummaryResponse__Output } from '../../eddy/v1/DescribeStreamSummaryResponse.js';
import type { GetRecordsRequest as _eddy_v1_GetRecordsRequest, GetRecordsRequest__Output as _eddy_v1_GetRecordsRequest__Output } from '../../eddy/v1/GetRecordsRequest.js';
import type { GetRecordsResponse as _eddy_v1_GetRecordsResponse, GetRecordsResponse__Output as _eddy_v1_GetRecordsResponse__Output } from '../../eddy/v1/GetRecordsResponse.js';
import type { GetShardIteratorRequest as _eddy_v1_GetShardIteratorRequest, GetShardIteratorRequest__Output as _eddy_v1_GetShardIteratorRequest__Output } from '../../eddy/v1/GetShardIteratorRequest.js';
import type { GetShardIteratorResponse as _eddy_v1_GetShardIteratorResponse, GetShardIteratorResponse__Output as _eddy_v1_GetShardIteratorResponse__Output } from '../../eddy/v1/GetShardIteratorResponse.js';
import type { GrantPermissionRequest as _eddy_v1_GrantPermissionRequest, GrantPermissionRequest__Output as _eddy_v1_GrantPermissionRequest__Output } from '../../eddy/v1/GrantPermissionRequest.js';
import type { GrantPermissionResponse as _eddy_v1_GrantPermissionResponse, GrantPermissionResponse__Output as _eddy_v1_GrantPermissionResponse__Output } from '../../eddy/v1/GrantPermissionResponse.js';
import type { InitProducerRequest as _eddy_v1_InitProducerRequest, InitProducerRequest__Output as _eddy_v1_InitProducerRequest__Output } from '../../eddy/v1/InitProducerRequest.js';
import type { InitProducerResponse as _eddy_v1_InitProducerResponse, InitProducerResponse__Output as _eddy_v1_InitProducerResponse__Output } from '../../eddy/v1/InitProducerResponse.js';
import type { ListApplicationsRequest as _eddy_v1_ListApplicationsRequest, ListApplicationsRequest__Output as _eddy_v1_ListApplicationsRequest__Output } from '../../eddy/v1/ListApplicationsRequest.js';
import type { ListApplicationsResponse as _eddy_v1_ListApplicationsResponse, ListApplicationsResponse__Output as _eddy_v1_ListApplicationsResponse__Output } from '../../eddy/v1/ListApplicationsResponse.js';
import type { ListPrincipalsRequest as _eddy_v1_ListPrincipalsRequest, ListPrincipalsRequest__Output as _eddy_v1_ListPrincipalsRequest__Output } from '../../eddy/v1/ListPrincipalsRequest.js';
import type { ListPrincipalsResponse as _eddy_v1_ListPrincipalsResponse, ListPrincipalsResponse__Output as _eddy_v1_ListPrincipalsResponse__Output } from '../../eddy/v1/ListPrincipalsResponse.js';
import type { ListShardsRequest as _eddy_v1_ListShardsRequest, ListShardsRequest__Output as _eddy_v1_ListShardsRequest__Output } from '../../eddy/v1/ListShardsRequest.js';
import type { ListShardsResponse as _eddy_v1_ListShardsResponse, ListShardsResponse__Output as _eddy_v1_ListShardsResponse__Output } from '../../eddy/v1/ListShardsResponse.js';
import type { ListStreamsRequest as _eddy_v1_ListStreamsRequest, ListStreamsRequest__Output as _eddy_v1_ListStreamsRequest__Output } from '../../eddy/v1/ListStreamsRequest.js';
import type { ListStreamsResponse as _eddy_v1_ListStreamsResponse, ListStreamsResponse__Output as _eddy_v1_ListStreamsResponse__Output } from '../../eddy/v1/ListStreamsResponse.js';
import type { MergeShardsRequest as _eddy_v1_MergeShardsRequest, MergeShardsRequest__Output as _eddy_v1_MergeShardsRequest__Output } from '../../eddy/v1/MergeShardsRequest.js';
import type { MergeShardsResponse as _eddy_v1_MergeShardsResponse, MergeShardsResponse__Output as _eddy_v1_MergeShardsResponse__Output } from '../../eddy/v1/MergeShardsResponse.js';
import type { PutRecordRequest as _eddy_v1_PutRecordRequest, PutRecordRequest__Output as _eddy_v1_PutRecordRequest__Output } from '../../eddy/v1/PutRecordRequest.js';
import type { PutRecordResponse as _eddy_v1_PutRecordResponse, PutRecordResponse__Output as _eddy_v1_PutRecordResponse__Output } from '../../eddy/v1/PutRecordResponse.js';
import type { PutRecordsRequest as _eddy_v1_PutRecordsRequest, PutRecordsRequest__Output as _eddy_v1_PutRecordsRequest__Output } from '../../eddy/v1/PutRecordsRequest.js';
import type { PutRecordsResponse as _eddy_v1_PutRecordsResponse, PutRecordsResponse__Output as _eddy_v1_PutRecordsResponse__Output } from '../../eddy/v1/PutRecordsResponse.js';
import type { ResetApplicationRequest as _eddy_v1_ResetApplicationRequest, ResetApplicationRequest__Output as _eddy_v1_ResetApplicationRequest__Output } from '../../eddy/v1/ResetApplicationRequest.js';
import type { ResetApplicationResponse as _eddy_v1_ResetApplicationResponse, ResetApplicationResponse__Output as _eddy_v1_ResetApplicationResponse__Output } from '../../eddy/v1/ResetApplicationResponse.js';
import type { RevokePermissionRequest as _eddy_v1_RevokePermissionRequest, RevokePermissionRequest__Output as _eddy_v1_RevokePermissionRequest__Output } from '../../eddy/v1/RevokePermissionRequest.js';
import type { RevokePermissionResponse as _eddy_v1_RevokePermissionResponse, RevokePermissionResponse__Output as _eddy_v1_RevokePermissionResponse__Output } from '../../eddy/v1/RevokePermissionResponse.js';
import type { SplitShardRequest as _eddy_v1_SplitShardRequest, SplitShardRequest__Output as _eddy_v1_SplitShardRequest__Output } from '../../eddy/v1/SplitShardRequest.js';
import type { SplitShardResponse as _eddy_v1_SplitShardResponse, SplitShardResponse__Output as _eddy_v1_SplitShardResponse__Output } from '../../eddy/v1/SplitShardResponse.js';
import type { SubscribeToShardEvent as _eddy_v1_SubscribeToShardEvent, SubscribeToShardEvent__Output as _eddy_v1_SubscribeToShardEvent__Output } from '../../eddy/v1/SubscribeToShardEvent.js';
import type { SubscribeToShardRequest as _eddy_v1_SubscribeToShardRequest, SubscribeToShardRequest__Output as _eddy_v1_SubscribeToShardRequest__Output } from '../../eddy/v1/SubscribeToShardRequest.js';
import type { UpdateRetentionPeriodRequest as _eddy_v1_UpdateRetentionPeriodRequest, UpdateRetentionPeriodRequest__Output as _eddy_v1_UpdateRetentionPeriodRequest__Output } from '../../eddy/v1/UpdateRetentionPeriodRequest.js';
import type { UpdateRetentionPeriodResponse as _eddy_v1_UpdateRetentionPeriodResponse, UpdateRetentionPeriodResponse__Output as _eddy_v1_UpdateRetentionPeriodResponse__Output } from '../../eddy/v1/UpdateRetentionPeriodResponse.js';
import type { UpdateShardCountRequest as _eddy_v1_UpdateShardCountRequest, UpdateShardCountRequest__Output as _eddy_v1_UpdateShardCountRequest__Output } from '../../eddy/v1/UpdateShardCountRequest.js';
import type { UpdateShardCountResponse as _eddy_v1_UpdateShardCountResponse, UpdateShardCountResponse__Output as _eddy_v1_UpdateShardCountResponse__Output } from '../../eddy/v1/UpdateShardCountResponse.js';
import type { UpdateStreamModeRequest as _eddy_v1_UpdateStreamModeRequest, UpdateStreamModeRequest__Output as _eddy_v1_UpdateStreamModeRequest__Output } from '../../eddy/v1/UpdateStreamModeRequest.js';
import type { UpdateStreamModeResponse as _eddy_v1_UpdateStreamModeResponse, UpdateStreamModeResponse__Output as _eddy_v1_UpdateStreamModeResponse__Output } from '../../eddy/v1/UpdateStreamModeResponse.js';
import type { WorkerHeartbeatRequest as _eddy_v1_WorkerHeartbeatRequest, WorkerHeartbeatRequest__Output as _eddy_v1_WorkerHeartbeatRequest__Output } from '../../eddy/v1/WorkerHeartbeatRequest.js';
import type { WorkerHeartbeatResponse as _eddy_v1_WorkerHeartbeatResponse, WorkerHeartbeatResponse__Output as _eddy_v1_WorkerHeartbeatResponse__Output } from '../../eddy/v1/WorkerHeartbeatResponse.js';

export interface StreamsClient extends grpc.Client {
  Checkpoint(argument: _eddy_v1_CheckpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CheckpointResponse__Output>): grpc.ClientUnaryCall;
  Checkpoint(argument: _eddy_v1_CheckpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_CheckpointResponse__Output>): grpc.ClientUnaryCall;
  Checkpoint(argument: _eddy_v1_CheckpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CheckpointResponse__Output>): grpc.ClientUnaryCall;
  Checkpoint(argument: _eddy_v1_CheckpointRequest, callback: grpc.requestCallback<_eddy_v1_CheckpointResponse__Output>): grpc.ClientUnaryCall;
  checkpoint(argument: _eddy_v1_CheckpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CheckpointResponse__Output>): grpc.ClientUnaryCall;
  checkpoint(argument: _eddy_v1_CheckpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_CheckpointResponse__Output>): grpc.ClientUnaryCall;
  checkpoint(argument: _eddy_v1_CheckpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CheckpointResponse__Output>): grpc.ClientUnaryCall;
  checkpoint(argument: _eddy_v1_CheckpointRequest, callback: grpc.requestCallback<_eddy_v1_CheckpointResponse__Output>): grpc.ClientUnaryCall;
  
  CreateApplication(argument: _eddy_v1_CreateApplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreateApplicationResponse__Output>): grpc.ClientUnaryCall;
  CreateApplication(argument: _eddy_v1_CreateApplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_CreateApplicationResponse__Output>): grpc.ClientUnaryCall;
  CreateApplication(argument: _eddy_v1_CreateApplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreateApplicationResponse__Output>): grpc.ClientUnaryCall;
  CreateApplication(argument: _eddy_v1_CreateApplicationRequest, callback: grpc.requestCallback<_eddy_v1_CreateApplicationResponse__Output>): grpc.ClientUnaryCall;
  createApplication(argument: _eddy_v1_CreateApplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreateApplicationResponse__Output>): grpc.ClientUnaryCall;
  createApplication(argument: _eddy_v1_CreateApplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_CreateApplicationResponse__Output>): grpc.ClientUnaryCall;
  createApplication(argument: _eddy_v1_CreateApplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreateApplicationResponse__Output>): grpc.ClientUnaryCall;
  createApplication(argument: _eddy_v1_CreateApplicationRequest, callback: grpc.requestCallback<_eddy_v1_CreateApplicationResponse__Output>): grpc.ClientUnaryCall;
  
  CreatePrincipal(argument: _eddy_v1_CreatePrincipalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreatePrincipalResponse__Output>): grpc.ClientUnaryCall;
  CreatePrincipal(argument: _eddy_v1_CreatePrincipalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_CreatePrincipalResponse__Output>): grpc.ClientUnaryCall;
  CreatePrincipal(argument: _eddy_v1_CreatePrincipalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreatePrincipalResponse__Output>): grpc.ClientUnaryCall;
  CreatePrincipal(argument: _eddy_v1_CreatePrincipalRequest, callback: grpc.requestCallback<_eddy_v1_CreatePrincipalResponse__Output>): grpc.ClientUnaryCall;
  createPrincipal(argument: _eddy_v1_CreatePrincipalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreatePrincipalResponse__Output>): grpc.ClientUnaryCall;
  createPrincipal(argument: _eddy_v1_CreatePrincipalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_CreatePrincipalResponse__Output>): grpc.ClientUnaryCall;
  createPrincipal(argument: _eddy_v1_CreatePrincipalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreatePrincipalResponse__Output>): grpc.ClientUnaryCall;
  createPrincipal(argument: _eddy_v1_CreatePrincipalRequest, callback: grpc.requestCallback<_eddy_v1_CreatePrincipalResponse__Output>): grpc.ClientUnaryCall;
  
  CreateStream(argument: _eddy_v1_CreateStreamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreateStreamResponse__Output>): grpc.ClientUnaryCall;
  CreateStream(argument: _eddy_v1_CreateStreamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_CreateStreamResponse__Output>): grpc.ClientUnaryCall;
  CreateStream(argument: _eddy_v1_CreateStreamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreateStreamResponse__Output>): grpc.ClientUnaryCall;
  CreateStream(argument: _eddy_v1_CreateStreamRequest, callback: grpc.requestCallback<_eddy_v1_CreateStreamResponse__Output>): grpc.ClientUnaryCall;
  createStream(argument: _eddy_v1_CreateStreamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreateStreamResponse__Output>): grpc.ClientUnaryCall;
  createStream(argument: _eddy_v1_CreateStreamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_CreateStreamResponse__Output>): grpc.ClientUnaryCall;
  createStream(argument: _eddy_v1_CreateStreamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_CreateStreamResponse__Output>): grpc.ClientUnaryCall;
  createStream(argument: _eddy_v1_CreateStreamRequest, callback: grpc.requestCallback<_eddy_v1_CreateStreamResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteApplication(argument: _eddy_v1_DeleteApplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteApplicationResponse__Output>): grpc.ClientUnaryCall;
  DeleteApplication(argument: _eddy_v1_DeleteApplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DeleteApplicationResponse__Output>): grpc.ClientUnaryCall;
  DeleteApplication(argument: _eddy_v1_DeleteApplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteApplicationResponse__Output>): grpc.ClientUnaryCall;
  DeleteApplication(argument: _eddy_v1_DeleteApplicationRequest, callback: grpc.requestCallback<_eddy_v1_DeleteApplicationResponse__Output>): grpc.ClientUnaryCall;
  deleteApplication(argument: _eddy_v1_DeleteApplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteApplicationResponse__Output>): grpc.ClientUnaryCall;
  deleteApplication(argument: _eddy_v1_DeleteApplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DeleteApplicationResponse__Output>): grpc.ClientUnaryCall;
  deleteApplication(argument: _eddy_v1_DeleteApplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteApplicationResponse__Output>): grpc.ClientUnaryCall;
  deleteApplication(argument: _eddy_v1_DeleteApplicationRequest, callback: grpc.requestCallback<_eddy_v1_DeleteApplicationResponse__Output>): grpc.ClientUnaryCall;
  
  DeletePrincipal(argument: _eddy_v1_DeletePrincipalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeletePrincipalResponse__Output>): grpc.ClientUnaryCall;
  DeletePrincipal(argument: _eddy_v1_DeletePrincipalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DeletePrincipalResponse__Output>): grpc.ClientUnaryCall;
  DeletePrincipal(argument: _eddy_v1_DeletePrincipalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeletePrincipalResponse__Output>): grpc.ClientUnaryCall;
  DeletePrincipal(argument: _eddy_v1_DeletePrincipalRequest, callback: grpc.requestCallback<_eddy_v1_DeletePrincipalResponse__Output>): grpc.ClientUnaryCall;
  deletePrincipal(argument: _eddy_v1_DeletePrincipalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeletePrincipalResponse__Output>): grpc.ClientUnaryCall;
  deletePrincipal(argument: _eddy_v1_DeletePrincipalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DeletePrincipalResponse__Output>): grpc.ClientUnaryCall;
  deletePrincipal(argument: _eddy_v1_DeletePrincipalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeletePrincipalResponse__Output>): grpc.ClientUnaryCall;
  deletePrincipal(argument: _eddy_v1_DeletePrincipalRequest, callback: grpc.requestCallback<_eddy_v1_DeletePrincipalResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteStream(argument: _eddy_v1_DeleteStreamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteStreamResponse__Output>): grpc.ClientUnaryCall;
  DeleteStream(argument: _eddy_v1_DeleteStreamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DeleteStreamResponse__Output>): grpc.ClientUnaryCall;
  DeleteStream(argument: _eddy_v1_DeleteStreamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteStreamResponse__Output>): grpc.ClientUnaryCall;
  DeleteStream(argument: _eddy_v1_DeleteStreamRequest, callback: grpc.requestCallback<_eddy_v1_DeleteStreamResponse__Output>): grpc.ClientUnaryCall;
  deleteStream(argument: _eddy_v1_DeleteStreamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteStreamResponse__Output>): grpc.ClientUnaryCall;
  deleteStream(argument: _eddy_v1_DeleteStreamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DeleteStreamResponse__Output>): grpc.ClientUnaryCall;
  deleteStream(argument: _eddy_v1_DeleteStreamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteStreamResponse__Output>): grpc.ClientUnaryCall;
  deleteStream(argument: _eddy_v1_DeleteStreamRequest, callback: grpc.requestCallback<_eddy_v1_DeleteStreamResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeApplication(argument: _eddy_v1_DescribeApplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeApplicationResponse__Output>): grpc.ClientUnaryCall;
  DescribeApplication(argument: _eddy_v1_DescribeApplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DescribeApplicationResponse__Output>): grpc.ClientUnaryCall;
  DescribeApplication(argument: _eddy_v1_DescribeApplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeApplicationResponse__Output>): grpc.ClientUnaryCall;
  DescribeApplication(argument: _eddy_v1_DescribeApplicationRequest, callback: grpc.requestCallback<_eddy_v1_DescribeApplicationResponse__Output>): grpc.ClientUnaryCall;
  describeApplication(argument: _eddy_v1_DescribeApplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeApplicationResponse__Output>): grpc.ClientUnaryCall;
  describeApplication(argument: _eddy_v1_DescribeApplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DescribeApplicationResponse__Output>): grpc.ClientUnaryCall;
  describeApplication(argument: _eddy_v1_DescribeApplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeApplicationResponse__Output>): grpc.ClientUnaryCall;
  describeApplication(argument: _eddy_v1_DescribeApplicationRequest, callback: grpc.requestCallback<_eddy_v1_DescribeApplicationResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeStream(argument: _eddy_v1_DescribeStreamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeStreamResponse__Output>): grpc.ClientUnaryCall;
  DescribeStream(argument: _eddy_v1_DescribeStreamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DescribeStreamResponse__Output>): grpc.ClientUnaryCall;
  DescribeStream(argument: _eddy_v1_DescribeStreamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeStreamResponse__Output>): grpc.ClientUnaryCall;
  DescribeStream(argument: _eddy_v1_DescribeStreamRequest, callback: grpc.requestCallback<_eddy_v1_DescribeStreamResponse__Output>): grpc.ClientUnaryCall;
  describeStream(argument: _eddy_v1_DescribeStreamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeStreamResponse__Output>): grpc.ClientUnaryCall;
  describeStream(argument: _eddy_v1_DescribeStreamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DescribeStreamResponse__Output>): grpc.ClientUnaryCall;
  describeStream(argument: _eddy_v1_DescribeStreamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeStreamResponse__Output>): grpc.ClientUnaryCall;
  describeStream(argument: _eddy_v1_DescribeStreamRequest, callback: grpc.requestCallback<_eddy_v1_DescribeStreamResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeStreamSummary(argument: _eddy_v1_DescribeStreamSummaryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeStreamSummaryResponse__Output>): grpc.ClientUnaryCall;
  DescribeStreamSummary(argument: _eddy_v1_DescribeStreamSummaryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DescribeStreamSummaryResponse__Output>): grpc.ClientUnaryCall;
  DescribeStreamSummary(argument: _eddy_v1_DescribeStreamSummaryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeStreamSummaryResponse__Output>): grpc.ClientUnaryCall;
  DescribeStreamSummary(argument: _eddy_v1_DescribeStreamSummaryRequest, callback: grpc.requestCallback<_eddy_v1_DescribeStreamSummaryResponse__Output>): grpc.ClientUnaryCall;
  describeStreamSummary(argument: _eddy_v1_DescribeStreamSummaryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeStreamSummaryResponse__Output>): grpc.ClientUnaryCall;
  describeStreamSummary(argument: _eddy_v1_DescribeStreamSummaryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DescribeStreamSummaryResponse__Output>): grpc.ClientUnaryCall;
  describeStreamSummary(argument: _eddy_v1_DescribeStreamSummaryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DescribeStreamSummaryResponse__Output>): grpc.ClientUnaryCall;
  describeStreamSummary(argument: _eddy_v1_DescribeStreamSummaryRequest, callback: grpc.requestCallback<_eddy_v1_DescribeStreamSummaryResponse__Output>): grpc.ClientUnaryCall;
  
  GetRecords(argument: _eddy_v1_GetRecordsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetRecordsResponse__Output>): grpc.ClientUnaryCall;
  GetRecords(argument: _eddy_v1_GetRecordsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetRecordsResponse__Output>): grpc.ClientUnaryCall;
  GetRecords(argument: _eddy_v1_GetRecordsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetRecordsResponse__Output>): grpc.ClientUnaryCall;
  GetRecords(argument: _eddy_v1_GetRecordsRequest, callback: grpc.requestCallback<_eddy_v1_GetRecordsResponse__Output>): grpc.ClientUnaryCall;
  getRecords(argument: _eddy_v1_GetRecordsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetRecordsResponse__Output>): grpc.ClientUnaryCall;
  getRecords(argument: _eddy_v1_GetRecordsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetRecordsResponse__Output>): grpc.ClientUnaryCall;
  getRecords(argument: _eddy_v1_GetRecordsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetRecordsResponse__Output>): grpc.ClientUnaryCall;
  getRecords(argument: _eddy_v1_GetRecordsRequest, callback: grpc.requestCallback<_eddy_v1_GetRecordsResponse__Output>): grpc.ClientUnaryCall;
  
  GetShardIterator(argument: _eddy_v1_GetShardIteratorRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetShardIteratorResponse__Output>): grpc.ClientUnaryCall;
  GetShardIterator(argument: _eddy_v1_GetShardIteratorRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetShardIteratorResponse__Output>): grpc.ClientUnaryCall;
  GetShardIterator(argument: _eddy_v1_GetShardIteratorRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetShardIteratorResponse__Output>): grpc.ClientUnaryCall;
  GetShardIterator(argument: _eddy_v1_GetShardIteratorRequest, callback: grpc.requestCallback<_eddy_v1_GetShardIteratorResponse__Output>): grpc.ClientUnaryCall;
  getShardIterator(argument: _eddy_v1_GetShardIteratorRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetShardIteratorResponse__Output>): grpc.ClientUnaryCall;
  getShardIterator(argument: _eddy_v1_GetShardIteratorRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetShardIteratorResponse__Output>): grpc.ClientUnaryCall;
  getShardIterator(argument: _eddy_v1_GetShardIteratorRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetShardIteratorResponse__Output>): grpc.ClientUnaryCall;
  getShardIterator(argument: _eddy_v1_GetShardIteratorRequest, callback: grpc.requestCallback<_eddy_v1_GetShardIteratorResponse__Output>): grpc.ClientUnaryCall;
  
  GrantPermission(argument: _eddy_v1_GrantPermissionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GrantPermissionResponse__Output>): grpc.ClientUnaryCall;
  GrantPermission(argument: _eddy_v1_GrantPermissionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GrantPermissionResponse__Output>): grpc.ClientUnaryCall;
  GrantPermission(argument: _eddy_v1_GrantPermissionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GrantPermissionResponse__Output>): grpc.ClientUnaryCall;
  GrantPermission(argument: _eddy_v1_GrantPermissionRequest, callback: grpc.requestCallback<_eddy_v1_GrantPermissionResponse__Output>): grpc.ClientUnaryCall;
  grantPermission(argument: _eddy_v1_GrantPermissionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GrantPermissionResponse__Output>): grpc.ClientUnaryCall;
  grantPermission(argument: _eddy_v1_GrantPermissionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GrantPermissionResponse__Output>): grpc.ClientUnaryCall;
  grantPermission(argument: _eddy_v1_GrantPermissionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GrantPermissionResponse__Output>): grpc.ClientUnaryCall;
  grantPermission(argument: _eddy_v1_GrantPermissionRequest, callback: grpc.requestCallback<_eddy_v1_GrantPermissionResponse__Output>): grpc.ClientUnaryCall;
  
  InitProducer(argument: _eddy_v1_InitProducerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_InitProducerResponse__Output>): grpc.ClientUnaryCall;
  InitProducer(argument: _eddy_v1_InitProducerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_InitProducerResponse__Output>): grpc.ClientUnaryCall;
  InitProducer(argument: _eddy_v1_InitProducerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_InitProducerResponse__Output>): grpc.ClientUnaryCall;
  InitProducer(argument: _eddy_v1_InitProducerRequest, callback: grpc.requestCallback<_eddy_v1_InitProducerResponse__Output>): grpc.ClientUnaryCall;
  initProducer(argument: _eddy_v1_InitProducerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_InitProducerResponse__Output>): grpc.ClientUnaryCall;
  initProducer(argument: _eddy_v1_InitProducerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_InitProducerResponse__Output>): grpc.ClientUnaryCall;
  initProducer(argument: _eddy_v1_InitProducerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_InitProducerResponse__Output>): grpc.ClientUnaryCall;
  initProducer(argument: _eddy_v1_InitProducerRequest, callback: grpc.requestCallback<_eddy_v1_InitProducerResponse__Output>): grpc.ClientUnaryCall;
  
  ListApplications(argument: _eddy_v1_ListApplicationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListApplicationsResponse__Output>): grpc.ClientUnaryCall;
  ListApplications(argument: _eddy_v1_ListApplicationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListApplicationsResponse__Output>): grpc.ClientUnaryCall;
  ListApplications(argument: _eddy_v1_ListApplicationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListApplicationsResponse__Output>): grpc.ClientUnaryCall;
  ListApplications(argument: _eddy_v1_ListApplicationsRequest, callback: grpc.requestCallback<_eddy_v1_ListApplicationsResponse__Output>): grpc.ClientUnaryCall;
  listApplications(argument: _eddy_v1_ListApplicationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListApplicationsResponse__Output>): grpc.ClientUnaryCall;
  listApplications(argument: _eddy_v1_ListApplicationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListApplicationsResponse__Output>): grpc.ClientUnaryCall;
  listApplications(argument: _eddy_v1_ListApplicationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListApplicationsResponse__Output>): grpc.ClientUnaryCall;
  listApplications(argument: _eddy_v1_ListApplicationsRequest, callback: grpc.requestCallback<_eddy_v1_ListApplicationsResponse__Output>): grpc.ClientUnaryCall;
  
  ListPrincipals(argument: _eddy_v1_ListPrincipalsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListPrincipalsResponse__Output>): grpc.ClientUnaryCall;
  ListPrincipals(argument: _eddy_v1_ListPrincipalsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListPrincipalsResponse__Output>): grpc.ClientUnaryCall;
  ListPrincipals(argument: _eddy_v1_ListPrincipalsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListPrincipalsResponse__Output>): grpc.ClientUnaryCall;
  ListPrincipals(argument: _eddy_v1_ListPrincipalsRequest, callback: grpc.requestCallback<_eddy_v1_ListPrincipalsResponse__Output>): grpc.ClientUnaryCall;
  listPrincipals(argument: _eddy_v1_ListPrincipalsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListPrincipalsResponse__Output>): grpc.ClientUnaryCall;
  listPrincipals(argument: _eddy_v1_ListPrincipalsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListPrincipalsResponse__Output>): grpc.ClientUnaryCall;
  listPrincipals(argument: _eddy_v1_ListPrincipalsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListPrincipalsResponse__Output>): grpc.ClientUnaryCall;
  listPrincipals(argument: _eddy_v1_ListPrincipalsRequest, callback: grpc.requestCallback<_eddy_v1_ListPrincipalsResponse__Output>): grpc.ClientUnaryCall;
  
  ListShards(argument: _eddy_v1_ListShardsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListShardsResponse__Output>): grpc.ClientUnaryCall;
  ListShards(argument: _eddy_v1_ListShardsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListShardsResponse__Output>): grpc.ClientUnaryCall;
  ListShards(argument: _eddy_v1_ListShardsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListShardsResponse__Output>): grpc.ClientUnaryCall;
  ListShards(argument: _eddy_v1_ListShardsRequest, callback: grpc.requestCallback<_eddy_v1_ListShardsResponse__Output>): grpc.ClientUnaryCall;
  listShards(argument: _eddy_v1_ListShardsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListShardsResponse__Output>): grpc.ClientUnaryCall;
  listShards(argument: _eddy_v1_ListShardsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListShardsResponse__Output>): grpc.ClientUnaryCall;
  listShards(argument: _eddy_v1_ListShardsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListShardsResponse__Output>): grpc.ClientUnaryCall;
  listShards(argument: _eddy_v1_ListShardsRequest, callback: grpc.requestCallback<_eddy_v1_ListShardsResponse__Output>): grpc.ClientUnaryCall;
  
  ListStreams(argument: _eddy_v1_ListStreamsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  ListStreams(argument: _eddy_v1_ListStreamsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  ListStreams(argument: _eddy_v1_ListStreamsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  ListStreams(argument: _eddy_v1_ListStreamsRequest, callback: grpc.requestCallback<_eddy_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  listStreams(argument: _eddy_v1_ListStreamsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  listStreams(argument: _eddy_v1_ListStreamsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  listStreams(argument: _eddy_v1_ListStreamsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  listStreams(argument: _eddy_v1_ListStreamsRequest, callback: grpc.requestCallback<_eddy_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  
  MergeShards(argument: _eddy_v1_MergeShardsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_MergeShardsResponse__Output>): grpc.ClientUnaryCall;
  MergeShards(argument: _eddy_v1_MergeShardsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_MergeShardsResponse__Output>): grpc.ClientUnaryCall;
  MergeShards(argument: _eddy_v1_MergeShardsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_MergeShardsResponse__Output>): grpc.ClientUnaryCall;
  MergeShards(argument: _eddy_v1_MergeShardsRequest, callback: grpc.requestCallback<_eddy_v1_MergeShardsResponse__Output>): grpc.ClientUnaryCall;
  mergeShards(argument: _eddy_v1_MergeShardsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_MergeShardsResponse__Output>): grpc.ClientUnaryCall;
  mergeShards(argument: _eddy_v1_MergeShardsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_MergeShardsResponse__Output>): grpc.ClientUnaryCall;
  mergeShards(argument: _eddy_v1_MergeShardsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_MergeShardsResponse__Output>): grpc.ClientUnaryCall;
  mergeShards(argument: _eddy_v1_MergeShardsRequest, callback: grpc.requestCallback<_eddy_v1_MergeShardsResponse__Output>): grpc.ClientUnaryCall;
  
  PutRecord(argument: _eddy_v1_PutRecordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  PutRecord(argument: _eddy_v1_PutRecordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  PutRecord(argument: _eddy_v1_PutRecordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  PutRecord(argument: _eddy_v1_PutRecordRequest, callback: grpc.requestCallback<_eddy_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  putRecord(argument: _eddy_v1_PutRecordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  putRecord(argument: _eddy_v1_PutRecordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  putRecord(argument: _eddy_v1_PutRecordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  putRecord(argument: _eddy_v1_PutRecordRequest, callback: grpc.requestCallback<_eddy_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  
  PutRecords(argument: _eddy_v1_PutRecordsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_PutRecordsResponse__Output>): grpc.ClientUnaryCall;
  PutRecords(argument: _eddy_v1_PutRecordsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_PutRecordsResponse__Output>): grpc.ClientUnaryCall;
  PutRecords(argument: _eddy_v1_PutRecordsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_PutRecordsResponse__Output>): grpc.ClientUnaryCall;
  PutRecords(argument: _eddy_v1_PutRecordsRequest, callback: grpc.requestCallback<_eddy_v1_PutRecordsResponse__Output>): grpc.ClientUnaryCall;
  putRecords(argument: _eddy_v1_PutRecordsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_PutRecordsResponse__Output>): grpc.ClientUnaryCall;
  putRecords(argument: _eddy_v1_PutRecordsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_PutRecordsResponse__Output>): grpc.ClientUnaryCall;
  putRecords(argument: _eddy_v1_PutRecordsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_PutRecordsResponse__Output>): grpc.ClientUnaryCall;
  putRecords(argument: _eddy_v1_PutRecordsRequest, callback: grpc.requestCallback<_eddy_v1_PutRecordsResponse__Output>): grpc.ClientUnaryCall;
  
  ResetApplication(argument: _eddy_v1_ResetApplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ResetApplicationResponse__Output>): grpc.ClientUnaryCall;
  ResetApplication(argument: _eddy_v1_ResetApplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ResetApplicationResponse__Output>): grpc.ClientUnaryCall;
  ResetApplication(argument: _eddy_v1_ResetApplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ResetApplicationResponse__Output>): grpc.ClientUnaryCall;
  ResetApplication(argument: _eddy_v1_ResetApplicationRequest, callback: grpc.requestCallback<_eddy_v1_ResetApplicationResponse__Output>): grpc.ClientUnaryCall;
  resetApplication(argument: _eddy_v1_ResetApplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ResetApplicationResponse__Output>): grpc.ClientUnaryCall;
  resetApplication(argument: _eddy_v1_ResetApplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ResetApplicationResponse__Output>): grpc.ClientUnaryCall;
  resetApplication(argument: _eddy_v1_ResetApplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ResetApplicationResponse__Output>): grpc.ClientUnaryCall;
  resetApplication(argument: _eddy_v1_ResetApplicationRequest, callback: grpc.requestCallback<_eddy_v1_ResetApplicationResponse__Output>): grpc.ClientUnaryCall;
  
  RevokePermission(argument: _eddy_v1_RevokePermissionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RevokePermissionResponse__Output>): grpc.ClientUnaryCall;
  RevokePermission(argument: _eddy_v1_RevokePermissionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_RevokePermissionResponse__Output>): grpc.ClientUnaryCall;
  RevokePermission(argument: _eddy_v1_RevokePermissionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RevokePermissionResponse__Output>): grpc.ClientUnaryCall;
  RevokePermission(argument: _eddy_v1_RevokePermissionRequest, callback: grpc.requestCallback<_eddy_v1_RevokePermissionResponse__Output>): grpc.ClientUnaryCall;
  revokePermission(argument: _eddy_v1_RevokePermissionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RevokePermissionResponse__Output>): grpc.ClientUnaryCall;
  revokePermission(argument: _eddy_v1_RevokePermissionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_RevokePermissionResponse__Output>): grpc.ClientUnaryCall;
  revokePermission(argument: _eddy_v1_RevokePermissionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RevokePermissionResponse__Output>): grpc.ClientUnaryCall;
  revokePermission(argument: _eddy_v1_RevokePermissionRequest, callback: grpc.requestCallback<_eddy_v1_RevokePermissionResponse__Output>): grpc.ClientUnaryCall;
  
  SplitShard(argument: _eddy_v1_SplitShardRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_SplitShardResponse__Output>): grpc.ClientUnaryCall;
  SplitShard(argument: _eddy_v1_SplitShardRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_SplitShardResponse__Output>): grpc.ClientUnaryCall;
  SplitShard(argument: _eddy_v1_SplitShardRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_SplitShardResponse__Output>): grpc.ClientUnaryCall;
  SplitShard(argument: _eddy_v1_SplitShardRequest, callback: grpc.requestCallback<_eddy_v1_SplitShardResponse__Output>): grpc.ClientUnaryCall;
  splitShard(argument: _eddy_v1_SplitShardRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_SplitShardResponse__Output>): grpc.ClientUnaryCall;
  splitShard(argument: _eddy_v1_SplitShardRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_SplitShardResponse__Output>): grpc.ClientUnaryCall;
  splitShard(argument: _eddy_v1_SplitShardRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_SplitShardResponse__Output>): grpc.ClientUnaryCall;
  splitShard(argument: _eddy_v1_SplitShardRequest, callback: grpc.requestCallback<_eddy_v1_SplitShardResponse__Output>): grpc.ClientUnaryCall;
  
  SubscribeToShard(argument: _eddy_v1_SubscribeToShardRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_eddy_v1_SubscribeToShardEvent__Output>;
  SubscribeToShard(argument: _eddy_v1_SubscribeToShardRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_eddy_v1_SubscribeToShardEvent__Output>;
  subscribeToShard(argument: _eddy_v1_SubscribeToShardRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_eddy_v1_SubscribeToShardEvent__Output>;
  subscribeToShard(argument: _eddy_v1_SubscribeToShardRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_eddy_v1_SubscribeToShardEvent__Output>;
  
  UpdateRetentionPeriod(argument: _eddy_v1_UpdateRetentionPeriodRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateRetentionPeriodResponse__Output>): grpc.ClientUnaryCall;
  UpdateRetentionPeriod(argument: _eddy_v1_UpdateRetentionPeriodRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_UpdateRetentionPeriodResponse__Output>): grpc.ClientUnaryCall;
  UpdateRetentionPeriod(argument: _eddy_v1_UpdateRetentionPeriodRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateRetentionPeriodResponse__Output>): grpc.ClientUnaryCall;
  UpdateRetentionPeriod(argument: _eddy_v1_UpdateRetentionPeriodRequest, callback: grpc.requestCallback<_eddy_v1_UpdateRetentionPeriodResponse__Output>): grpc.ClientUnaryCall;
  updateRetentionPeriod(argument: _eddy_v1_UpdateRetentionPeriodRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateRetentionPeriodResponse__Output>): grpc.ClientUnaryCall;
  updateRetentionPeriod(argument: _eddy_v1_UpdateRetentionPeriodRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_UpdateRetentionPeriodResponse__Output>): grpc.ClientUnaryCall;
  updateRetentionPeriod(argument: _eddy_v1_UpdateRetentionPeriodRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateRetentionPeriodResponse__Output>): grpc.ClientUnaryCall;
  updateRetentionPeriod(argument: _eddy_v1_UpdateRetentionPeriodRequest, callback: grpc.requestCallback<_eddy_v1_UpdateRetentionPeriodResponse__Output>): grpc.ClientUnaryCall;
  
  UpdateShardCount(argument: _eddy_v1_UpdateShardCountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateShardCountResponse__Output>): grpc.ClientUnaryCall;
  UpdateShardCount(argument: _eddy_v1_UpdateShardCountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_UpdateShardCountResponse__Output>): grpc.ClientUnaryCall;
  UpdateShardCount(argument: _eddy_v1_UpdateShardCountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateShardCountResponse__Output>): grpc.ClientUnaryCall;
  UpdateShardCount(argument: _eddy_v1_UpdateShardCountRequest, callback: grpc.requestCallback<_eddy_v1_UpdateShardCountResponse__Output>): grpc.ClientUnaryCall;
  updateShardCount(argument: _eddy_v1_UpdateShardCountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateShardCountResponse__Output>): grpc.ClientUnaryCall;
  updateShardCount(argument: _eddy_v1_UpdateShardCountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_UpdateShardCountResponse__Output>): grpc.ClientUnaryCall;
  updateShardCount(argument: _eddy_v1_UpdateShardCountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateShardCountResponse__Output>): grpc.ClientUnaryCall;
  updateShardCount(argument: _eddy_v1_UpdateShardCountRequest, callback: grpc.requestCallback<_eddy_v1_UpdateShardCountResponse__Output>): grpc.ClientUnaryCall;
  
  UpdateStreamMode(argument: _eddy_v1_UpdateStreamModeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateStreamModeResponse__Output>): grpc.ClientUnaryCall;
  UpdateStreamMode(argument: _eddy_v1_UpdateStreamModeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_UpdateStreamModeResponse__Output>): grpc.ClientUnaryCall;
  UpdateStreamMode(argument: _eddy_v1_UpdateStreamModeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateStreamModeResponse__Output>): grpc.ClientUnaryCall;
  UpdateStreamMode(argument: _eddy_v1_UpdateStreamModeRequest, callback: grpc.requestCallback<_eddy_v1_UpdateStreamModeResponse__Output>): grpc.ClientUnaryCall;
  updateStreamMode(argument: _eddy_v1_UpdateStreamModeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateStreamModeResponse__Output>): grpc.ClientUnaryCall;
  updateStreamMode(argument: _eddy_v1_UpdateStreamModeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_UpdateStreamModeResponse__Output>): grpc.ClientUnaryCall;
  updateStreamMode(argument: _eddy_v1_UpdateStreamModeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_UpdateStreamModeResponse__Output>): grpc.ClientUnaryCall;
  updateStreamMode(argument: _eddy_v1_UpdateStreamModeRequest, callback: grpc.requestCallback<_eddy_v1_UpdateStreamModeResponse__Output>): grpc.ClientUnaryCall;
  
  WorkerHeartbeat(argument: _eddy_v1_WorkerHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_WorkerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  WorkerHeartbeat(argument: _eddy_v1_WorkerHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_WorkerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  WorkerHeartbeat(argument: _eddy_v1_WorkerHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_WorkerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  WorkerHeartbeat(argument: _eddy_v1_WorkerHeartbeatRequest, callback: grpc.requestCallback<_eddy_v1_WorkerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  workerHeartbeat(argument: _eddy_v1_WorkerHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_WorkerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  workerHeartbeat(argument: _eddy_v1_WorkerHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_WorkerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  workerHeartbeat(argument: _eddy_v1_WorkerHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_WorkerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  workerHeartbeat(argument: _eddy_v1_WorkerHeartbeatRequest, callback: grpc.requestCallback<_eddy_v1_WorkerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface StreamsHandlers extends grpc.UntypedServiceImplementation {
  Checkpoint: grpc.handleUnaryCall<_eddy_v1_CheckpointRequest__Output, _eddy_v1_CheckpointResponse>;
  
  CreateApplication: grpc.handleUnaryCall<_eddy_v1_CreateApplicationRequest__Output, _eddy_v1_CreateApplicationResponse>;
  
  CreatePrincipal: grpc.handleUnaryCall<_eddy_v1_CreatePrincipalRequest__Output, _eddy_v1_CreatePrincipalResponse>;
  
  CreateStream: grpc.handleUnaryCall<_eddy_v1_CreateStreamRequest__Output, _eddy_v1_CreateStreamResponse>;
  
  DeleteApplication: grpc.handleUnaryCall<_eddy_v1_DeleteApplicationRequest__Output, _eddy_v1_DeleteApplicationResponse>;
  
  DeletePrincipal: grpc.handleUnaryCall<_eddy_v1_DeletePrincipalRequest__Output, _eddy_v1_DeletePrincipalResponse>;
  
  DeleteStream: grpc.handleUnaryCall<_eddy_v1_DeleteStreamRequest__Output, _eddy_v1_DeleteStreamResponse>;
  
  DescribeApplication: grpc.handleUnaryCall<_eddy_v1_DescribeApplicationRequest__Output, _eddy_v1_DescribeApplicationResponse>;
  
  DescribeStream: grpc.handleUnaryCall<_eddy_v1_DescribeStreamRequest__Output, _eddy_v1_DescribeStreamResponse>;
  
  DescribeStreamSummary: grpc.handleUnaryCall<_eddy_v1_DescribeStreamSummaryRequest__Output, _eddy_v1_DescribeStreamSummaryResponse>;
  
  GetRecords: grpc.handleUnaryCall<_eddy_v1_GetRecordsRequest__Output, _eddy_v1_GetRecordsResponse>;
  
  GetShardIterator: grpc.handleUnaryCall<_eddy_v1_GetShardIteratorRequest__Output, _eddy_v1_GetShardIteratorResponse>;
  
  GrantPermission: grpc.handleUnaryCall<_eddy_v1_GrantPermissionRequest__Output, _eddy_v1_GrantPermissionResponse>;
  
  InitProducer: grpc.handleUnaryCall<_eddy_v1_InitProducerRequest__Output, _eddy_v1_InitProducerResponse>;
  
  ListApplications: grpc.handleUnaryCall<_eddy_v1_ListApplicationsRequest__Output, _eddy_v1_ListApplicationsResponse>;
  
  ListPrincipals: grpc.handleUnaryCall<_eddy_v1_ListPrincipalsRequest__Output, _eddy_v1_ListPrincipalsResponse>;
  
  ListShards: grpc.handleUnaryCall<_eddy_v1_ListShardsRequest__Output, _eddy_v1_ListShardsResponse>;
  
  ListStreams: grpc.handleUnaryCall<_eddy_v1_ListStreamsRequest__Output, _eddy_v1_ListStreamsResponse>;
  
  MergeShards: grpc.handleUnaryCall<_eddy_v1_MergeShardsRequest__Output, _eddy_v1_MergeShardsResponse>;
  
  PutRecord: grpc.handleUnaryCall<_eddy_v1_PutRecordRequest__Output, _eddy_v1_PutRecordResponse>;
  
  PutRecords: grpc.handleUnaryCall<_eddy_v1_PutRecordsRequest__Output, _eddy_v1_PutRecordsResponse>;
  
  ResetApplication: grpc.handleUnaryCall<_eddy_v1_ResetApplicationRequest__Output, _eddy_v1_ResetApplicationResponse>;
  
  RevokePermission: grpc.handleUnaryCall<_eddy_v1_RevokePermissionRequest__Output, _eddy_v1_RevokePermissionResponse>;
  
  SplitShard: grpc.handleUnaryCall<_eddy_v1_SplitShardRequest__Output, _eddy_v1_SplitShardResponse>;
  
  SubscribeToShard: grpc.handleServerStreamingCall<_eddy_v1_SubscribeToShardRequest__Output, _eddy_v1_SubscribeToShardEvent>;
  
  UpdateRetentionPeriod: grpc.handleUnaryCall<_eddy_v1_UpdateRetentionPeriodRequest__Output, _eddy_v1_UpdateRetentionPeriodResponse>;
  
  UpdateShardCount: grpc.handleUnaryCall<_eddy_v1_UpdateShardCountRequest__Output, _eddy_v1_UpdateShardCountResponse>;
  
  UpdateStreamMode: grpc.handleUnaryCall<_eddy_v1_UpdateStreamModeRequest__Output, _eddy_v1_UpdateStreamModeResponse>;
  
  WorkerHeartbeat: grpc.handleUnaryCall<_eddy_v1_WorkerHeartbeatRequest__Output, _eddy_v1_WorkerHeartbeatResponse>;
  
}

export interface StreamsDefinition extends grpc.ServiceDefinition {
  Checkpoint: MethodDefinition<_eddy_v1_CheckpointRequest, _eddy_v1_CheckpointResponse, _eddy_v1_CheckpointRequest__Output, _eddy_v1_CheckpointResponse__Output>
  CreateApplication: MethodDefinition<_eddy_v1_CreateApplicationRequest, _eddy_v1_CreateApplicationResponse, _eddy_v1_CreateApplicationRequest__Output, _eddy_v1_CreateApplicationResponse__Output>
  CreatePrincipal: MethodDefinition<_eddy_v1_CreatePrincipalRequest, _eddy_v1_CreatePrincipalResponse, _eddy_v1_CreatePrincipalRequest__Output, _eddy_v1_CreatePrincipalResponse__Output>
  CreateStream: MethodDefinition<_eddy_v1_CreateStreamRequest, _eddy_v1_CreateStreamResponse, _eddy_v1_CreateStreamRequest__Output, _eddy_v1_CreateStreamResponse__Output>
  DeleteApplication: MethodDefinition<_eddy_v1_DeleteApplicationRequest, _eddy_v1_DeleteApplicationResponse, _eddy_v1_DeleteApplicationRequest__Output, _eddy_v1_DeleteApplicationResponse__Output>
  DeletePrincipal: MethodDefinition<_eddy_v1_DeletePrincipalRequest, _eddy_v1_DeletePrincipalResponse, _eddy_v1_DeletePrincipalRequest__Output, _eddy_v1_DeletePrincipalResponse__Output>
  DeleteStream: MethodDefinition<_eddy_v1_DeleteStreamRequest, _eddy_v1_DeleteStreamResponse, _eddy_v1_DeleteStreamRequest__Output, _eddy_v1_DeleteStreamResponse__Output>
  DescribeApplication: MethodDefinition<_eddy_v1_DescribeApplicationRequest, _eddy_v1_DescribeApplicationResponse, _eddy_v1_DescribeApplicationRequest__Output, _eddy_v1_DescribeApplicationResponse__Output>
  DescribeStream: MethodDefinition<_eddy_v1_DescribeStreamRequest, _eddy_v1_DescribeStreamResponse, _eddy_v1_DescribeStreamRequest__Output, _eddy_v1_DescribeStreamResponse__Output>
  DescribeStreamSummary: MethodDefinition<_eddy_v1_DescribeStreamSummaryRequest, _eddy_v1_DescribeStreamSummaryResponse, _eddy_v1_DescribeStreamSummaryRequest__Output, _eddy_v1_DescribeStreamSummaryResponse__Output>
  GetRecords: MethodDefinition<_eddy_v1_GetRecordsRequest, _eddy_v1_GetRecordsResponse, _eddy_v1_GetRecordsRequest__Output, _eddy_v1_GetRecordsResponse__Output>
  GetShardIterator: MethodDefinition<_eddy_v1_GetShardIteratorRequest, _eddy_v1_GetShardIteratorResponse, _eddy_v1_GetShardIteratorRequest__Output, _eddy_v1_GetShardIteratorResponse__Output>
  GrantPermission: MethodDefinition<_eddy_v1_GrantPermissionRequest, _eddy_v1_GrantPermissionResponse, _eddy_v1_GrantPermissionRequest__Output, _eddy_v1_GrantPermissionResponse__Output>
  InitProducer: MethodDefinition<_eddy_v1_InitProducerRequest, _eddy_v1_InitProducerResponse, _eddy_v1_InitProducerRequest__Output, _eddy_v1_InitProducerResponse__Output>
  ListApplications: MethodDefinition<_eddy_v1_ListApplicationsRequest, _eddy_v1_ListApplicationsResponse, _eddy_v1_ListApplicationsRequest__Output, _eddy_v1_ListApplicationsResponse__Output>
  ListPrincipals: MethodDefinition<_eddy_v1_ListPrincipalsRequest, _eddy_v1_ListPrincipalsResponse, _eddy_v1_ListPrincipalsRequest__Output, _eddy_v1_ListPrincipalsResponse__Output>
  ListShards: MethodDefinition<_eddy_v1_ListShardsRequest, _eddy_v1_ListShardsResponse, _eddy_v1_ListShardsRequest__Output, _eddy_v1_ListShardsResponse__Output>
  ListStreams: MethodDefinition<_eddy_v1_ListStreamsRequest, _eddy_v1_ListStreamsResponse, _eddy_v1_ListStreamsRequest__Output, _eddy_v1_ListStreamsResponse__Output>
  MergeShards: MethodDefinition<_eddy_v1_MergeShardsRequest, _eddy_v1_MergeShardsResponse, _eddy_v1_MergeShardsRequest__Output, _eddy_v1_MergeShardsResponse__Output>
  PutRecord: MethodDefinition<_eddy_v1_PutRecordRequest, _eddy_v1_PutRecordResponse, _eddy_v1_PutRecordRequest__Output, _eddy_v1_PutRecordResponse__Output>
  PutRecords: MethodDefinition<_eddy_v1_PutRecordsRequest, _eddy_v1_PutRecordsResponse, _eddy_v1_PutRecordsRequest__Output, _eddy_v1_PutRecordsResponse__Output>
  ResetApplication: MethodDefinition<_eddy_v1_ResetApplicationRequest, _eddy_v1_ResetApplicationResponse, _eddy_v1_ResetApplicationRequest__Output, _eddy_v1_ResetApplicationResponse__Output>
  RevokePermission: MethodDefinition<_eddy_v1_RevokePermissionRequest, _eddy_v1_RevokePermissionResponse, _eddy_v1_RevokePermissionRequest__Output, _eddy_v1_RevokePermissionResponse__Output>
  SplitShard: MethodDefinition<_eddy_v1_SplitShardRequest, _eddy_v1_SplitShardResponse, _eddy_v1_SplitShardRequest__Output, _eddy_v1_SplitShardResponse__Output>
  SubscribeToShard: MethodDefinition<_eddy_v1_SubscribeToShardRequest, _eddy_v1_SubscribeToShardEvent, _eddy_v1_SubscribeToShardRequest__Output, _eddy_v1_SubscribeToShardEvent__Output>
  UpdateRetentionPeriod: MethodDefinition<_eddy_v1_UpdateRetentionPeriodRequest, _eddy_v1_UpdateRetentionPeriodResponse, _eddy_v1_UpdateRetentionPeriodRequest__Output, _eddy_v1_UpdateRetentionPeriodResponse__Output>
  UpdateShardCount: MethodDefinition<_eddy_v1_UpdateShardCountRequest, _eddy_v1_UpdateShardCountResponse, _eddy_v1_UpdateShardCountRequest__Output, _eddy_v1_UpdateShardCountResponse__Output>
  UpdateStreamMode: MethodDefinition<_eddy_v1_UpdateStreamModeRequest, _eddy_v1_UpdateStreamModeResponse, _eddy_v1_UpdateStreamModeRequest__Output, _eddy_v1_UpdateStreamModeResponse__Output>
  WorkerHeartbeat: MethodDefinition<_eddy_v1_WorkerHeartbeatRequest, _eddy_v1_WorkerHeartbeatResponse, _eddy_v1_WorkerHeartbeatRequest__Output, _eddy_v1_WorkerHeartbeatResponse__Output>
}

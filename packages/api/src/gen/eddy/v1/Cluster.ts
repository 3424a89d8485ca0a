// Original file: proto/eddy/v1/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ProposeCommandRequest as _eddy_v1_ProposeCommandRequest, ProposeCommandRequest__Output as _eddy_v1_ProposeCommandRequest__Output } from '../../eddy/v1/ProposeCommandRequest.js';
import type { ProposeCommandResponse as _eddy_v1_ProposeCommandResponse, ProposeCommandResponse__Output as _eddy_v1_ProposeCommandResponse__Output } from '../../eddy/v1/ProposeCommandResponse.js';
import type { ReadIndexRequest as _eddy_v1_ReadIndexRequest, ReadIndexRequest__Output as _eddy_v1_ReadIndexRequest__Output } from '../../eddy/v1/ReadIndexRequest.js';
import type { ReadIndexResponse as _eddy_v1_ReadIndexResponse, ReadIndexResponse__Output as _eddy_v1_ReadIndexResponse__Output } from '../../eddy/v1/ReadIndexResponse.js';
import type { ReadReplicaRequest as _eddy_v1_ReadReplicaRequest, ReadReplicaRequest__Output as _eddy_v1_ReadReplicaRequest__Output } from '../../eddy/v1/ReadReplicaRequest.js';
import type { ReadReplicaResponse as _eddy_v1_ReadReplicaResponse, ReadReplicaResponse__Output as _eddy_v1_ReadReplicaResponse__Output } from '../../eddy/v1/ReadReplicaResponse.js';

export interface ClusterClient extends grpc.Client {
  ProposeCommand(argument: _eddy_v1_ProposeCommandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ProposeCommandResponse__Output>): grpc.ClientUnaryCall;
  ProposeCommand(argument: _eddy_v1_ProposeCommandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ProposeCommandResponse__Output>): grpc.ClientUnaryCall;
  ProposeCommand(argument: _eddy_v1_ProposeCommandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ProposeCommandResponse__Output>): grpc.ClientUnaryCall;
  ProposeCommand(argument: _eddy_v1_ProposeCommandRequest, callback: grpc.requestCallback<_eddy_v1_ProposeCommandResponse__Output>): grpc.ClientUnaryCall;
  proposeCommand(argument: _eddy_v1_ProposeCommandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ProposeCommandResponse__Output>): grpc.ClientUnaryCall;
  proposeCommand(argument: _eddy_v1_ProposeCommandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ProposeCommandResponse__Output>): grpc.ClientUnaryCall;
  proposeCommand(argument: _eddy_v1_ProposeCommandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ProposeCommandResponse__Output>): grpc.ClientUnaryCall;
  proposeCommand(argument: _eddy_v1_ProposeCommandRequest, callback: grpc.requestCallback<_eddy_v1_ProposeCommandResponse__Output>): grpc.ClientUnaryCall;
  
  ReadIndex(argument: _eddy_v1_ReadIndexRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReadIndexResponse__Output>): grpc.ClientUnaryCall;
  ReadIndex(argument: _eddy_v1_ReadIndexRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ReadIndexResponse__Output>): grpc.ClientUnaryCall;
  ReadIndex(argument: _eddy_v1_ReadIndexRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReadIndexResponse__Output>): grpc.ClientUnaryCall;
  ReadIndex(argument: _eddy_v1_ReadIndexRequest, callback: grpc.requestCallback<_eddy_v1_ReadIndexResponse__Output>): grpc.ClientUnaryCall;
  readIndex(argument: _eddy_v1_ReadIndexRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReadIndexResponse__Output>): grpc.ClientUnaryCall;
  readIndex(argument: _eddy_v1_ReadIndexRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ReadIndexResponse__Output>): grpc.ClientUnaryCall;
  readIndex(argument: _eddy_v1_ReadIndexRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReadIndexResponse__Output>): grpc.ClientUnaryCall;
  readIndex(argument: _eddy_v1_ReadIndexRequest, callback: grpc.requestCallback<_eddy_v1_ReadIndexResponse__Output>): grpc.ClientUnaryCall;
  
  ReadReplica(argument: _eddy_v1_ReadReplicaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReadReplicaResponse__Output>): grpc.ClientUnaryCall;
  ReadReplica(argument: _eddy_v1_ReadReplicaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ReadReplicaResponse__Output>): grpc.ClientUnaryCall;
  ReadReplica(argument: _eddy_v1_ReadReplicaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReadReplicaResponse__Output>): grpc.ClientUnaryCall;
  ReadReplica(argument: _eddy_v1_ReadReplicaRequest, callback: grpc.requestCallback<_eddy_v1_ReadReplicaResponse__Output>): grpc.ClientUnaryCall;
  readReplica(argument: _eddy_v1_ReadReplicaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReadReplicaResponse__Output>): grpc.ClientUnaryCall;
  readReplica(argument: _eddy_v1_ReadReplicaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ReadReplicaResponse__Output>): grpc.ClientUnaryCall;
  readReplica(argument: _eddy_v1_ReadReplicaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReadReplicaResponse__Output>): grpc.ClientUnaryCall;
  readReplica(argument: _eddy_v1_ReadReplicaRequest, callback: grpc.requestCallback<_eddy_v1_ReadReplicaResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ClusterHandlers extends grpc.UntypedServiceImplementation {
  ProposeCommand: grpc.handleUnaryCall<_eddy_v1_ProposeCommandRequest__Output, _eddy_v1_ProposeCommandResponse>;
  
  ReadIndex: grpc.handleUnaryCall<_eddy_v1_ReadIndexRequest__Output, _eddy_v1_ReadIndexResponse>;
  
  ReadReplica: grpc.handleUnaryCall<_eddy_v1_ReadReplicaRequest__Output, _eddy_v1_ReadReplicaResponse>;
  
}

export interface ClusterDefinition extends grpc.ServiceDefinition {
  ProposeCommand: MethodDefinition<_eddy_v1_ProposeCommandRequest, _eddy_v1_ProposeCommandResponse, _eddy_v1_ProposeCommandRequest__Output, _eddy_v1_ProposeCommandResponse__Output>
  ReadIndex: MethodDefinition<_eddy_v1_ReadIndexRequest, _eddy_v1_ReadIndexResponse, _eddy_v1_ReadIndexRequest__Output, _eddy_v1_ReadIndexResponse__Output>
  ReadReplica: MethodDefinition<_eddy_v1_ReadReplicaRequest, _eddy_v1_ReadReplicaResponse, _eddy_v1_ReadReplicaRequest__Output, _eddy_v1_ReadReplicaResponse__Output>
}

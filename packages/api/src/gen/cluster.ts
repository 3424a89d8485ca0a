import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ClusterClient as _eddy_v1_ClusterClient, ClusterDefinition as _eddy_v1_ClusterDefinition } from './eddy/v1/Cluster.js';
import type { ProposeCommandRequest as _eddy_v1_ProposeCommandRequest, ProposeCommandRequest__Output as _eddy_v1_ProposeCommandRequest__Output } from './eddy/v1/ProposeCommandRequest.js';
import type { ProposeCommandResponse as _eddy_v1_ProposeCommandResponse, ProposeCommandResponse__Output as _eddy_v1_ProposeCommandResponse__Output } from './eddy/v1/ProposeCommandResponse.js';
import type { ReadIndexRequest as _eddy_v1_ReadIndexRequest, ReadIndexRequest__Output as _eddy_v1_ReadIndexRequest__Output } from './eddy/v1/ReadIndexRequest.js';
import type { ReadIndexResponse as _eddy_v1_ReadIndexResponse, ReadIndexResponse__Output as _eddy_v1_ReadIndexResponse__Output } from './eddy/v1/ReadIndexResponse.js';
import type { ReadReplicaRequest as _eddy_v1_ReadReplicaRequest, ReadReplicaRequest__Output as _eddy_v1_ReadReplicaRequest__Output } from './eddy/v1/ReadReplicaRequest.js';
import type { ReadReplicaResponse as _eddy_v1_ReadReplicaResponse, ReadReplicaResponse__Output as _eddy_v1_ReadReplicaResponse__Output } from './eddy/v1/ReadReplicaResponse.js';
import type { ReplicaRecord as _eddy_v1_ReplicaRecord, ReplicaRecord__Output as _eddy_v1_ReplicaRecord__Output } from './eddy/v1/ReplicaRecord.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  eddy: {
    v1: {
      Cluster: SubtypeConstructor<typeof grpc.Client, _eddy_v1_ClusterClient> & { service: _eddy_v1_ClusterDefinition }
      ProposeCommandRequest: MessageTypeDefinition<_eddy_v1_ProposeCommandRequest, _eddy_v1_ProposeCommandRequest__Output>
      ProposeCommandResponse: MessageTypeDefinition<_eddy_v1_ProposeCommandResponse, _eddy_v1_ProposeCommandResponse__Output>
      ReadIndexRequest: MessageTypeDefinition<_eddy_v1_ReadIndexRequest, _eddy_v1_ReadIndexRequest__Output>
      ReadIndexResponse: MessageTypeDefinition<_eddy_v1_ReadIndexResponse, _eddy_v1_ReadIndexResponse__Output>
      ReadReplicaRequest: MessageTypeDefinition<_eddy_v1_ReadReplicaRequest, _eddy_v1_ReadReplicaRequest__Output>
      ReadReplicaResponse: MessageTypeDefinition<_eddy_v1_ReadReplicaResponse, _eddy_v1_ReadReplicaResponse__Output>
      ReplicaRecord: MessageTypeDefinition<_eddy_v1_ReplicaRecord, _eddy_v1_ReplicaRecord__Output>
    }
  }
}


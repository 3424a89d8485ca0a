// Original file: proto/eddy/v1/cluster.proto

import type { ReplicaRecord as _eddy_v1_ReplicaRecord, ReplicaRecord__Output as _eddy_v1_ReplicaRecord__Output } from '../../eddy/v1/ReplicaRecord.js';
import type { Long } from '@grpc/proto-loader';

export interface ReadReplicaResponse {
  'records'?: (_eddy_v1_ReplicaRecord)[];
  'next_index'?: (number | string | Long);
  'next_offset'?: (number);
  'commit_index'?: (number | string | Long);
  'role'?: (string);
  'leader_id'?: (string);
}

export interface ReadReplicaResponse__Output {
  'records': (_eddy_v1_ReplicaRecord__Output)[];
  'next_index': (string);
  'next_offset': (number);
  'commit_index': (string);
  'role': (string);
  'leader_id': (string);
}

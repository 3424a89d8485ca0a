// Original file: proto/eddy/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadReplicaRequest {
  'stream_name'?: (string);
  'shard_id'?: (string);
  'from_index'?: (number | string | Long);
  'from_offset'?: (number);
  'limit'?: (number);
}

export interface ReadReplicaRequest__Output {
  'stream_name': (string);
  'shard_id': (string);
  'from_index': (string);
  'from_offset': (number);
  'limit': (number);
}

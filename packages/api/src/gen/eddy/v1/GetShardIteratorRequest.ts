// Original file: proto/eddy/v1/streams.proto

import type { ShardIteratorType as _eddy_v1_ShardIteratorType, ShardIteratorType__Output as _eddy_v1_ShardIteratorType__Output } from '../../eddy/v1/ShardIteratorType.js';
import type { Long } from '@grpc/proto-loader';

export interface GetShardIteratorRequest {
  'stream_name'?: (string);
  'shard_id'?: (string);
  'shard_iterator_type'?: (_eddy_v1_ShardIteratorType);
  'starting_sequence_number'?: (string);
  'timestamp'?: (number | string | Long);
}

export interface GetShardIteratorRequest__Output {
  'stream_name': (string);
  'shard_id': (string);
  'shard_iterator_type': (_eddy_v1_ShardIteratorType__Output);
  'starting_sequence_number': (string);
  'timestamp': (string);
}

// Original file: proto/eddy/v1/streams.proto

import type { ShardFilterType as _eddy_v1_ShardFilterType, ShardFilterType__Output as _eddy_v1_ShardFilterType__Output } from '../../eddy/v1/ShardFilterType.js';
import type { Long } from '@grpc/proto-loader';

export interface ShardFilter {
  'type'?: (_eddy_v1_ShardFilterType);
  'shard_id'?: (string);
  'timestamp'?: (number | string | Long);
}

export interface ShardFilter__Output {
  'type': (_eddy_v1_ShardFilterType__Output);
  'shard_id': (string);
  'timestamp': (string);
}

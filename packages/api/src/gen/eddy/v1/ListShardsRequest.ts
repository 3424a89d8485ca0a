// Original file: proto/eddy/v1/streams.proto

import type { ShardFilter as _eddy_v1_ShardFilter, ShardFilter__Output as _eddy_v1_ShardFilter__Output } from '../../eddy/v1/ShardFilter.js';

export interface ListShardsRequest {
  'stream_name'?: (string);
  'next_token'?: (string);
  'exclusive_start_shard_id'?: (string);
  'max_results'?: (number);
  'shard_filter'?: (_eddy_v1_ShardFilter | null);
}

export interface ListShardsRequest__Output {
  'stream_name': (string);
  'next_token': (string);
  'exclusive_start_shard_id': (string);
  'max_results': (number);
  'shard_filter': (_eddy_v1_ShardFilter__Output | null);
}

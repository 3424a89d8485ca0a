// Original file: proto/eddy/v1/streams.proto

import type { Shard as _eddy_v1_Shard, Shard__Output as _eddy_v1_Shard__Output } from '../../eddy/v1/Shard.js';

export interface ListShardsResponse {
  'shards'?: (_eddy_v1_Shard)[];
  'next_token'?: (string);
}

export interface ListShardsResponse__Output {
  'shards': (_eddy_v1_Shard__Output)[];
  'next_token': (string);
}

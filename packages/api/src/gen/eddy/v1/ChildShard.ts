// Original file: proto/eddy/v1/streams.proto

import type { HashKeyRange as _eddy_v1_HashKeyRange, HashKeyRange__Output as _eddy_v1_HashKeyRange__Output } from '../../eddy/v1/HashKeyRange.js';

export interface ChildShard {
  'shard_id'?: (string);
  'parent_shards'?: (string)[];
  'hash_key_range'?: (_eddy_v1_HashKeyRange | null);
}

export interface ChildShard__Output {
  'shard_id': (string);
  'parent_shards': (string)[];
  'hash_key_range': (_eddy_v1_HashKeyRange__Output | null);
}

// Original file: proto/eddy/v1/streams.proto

import type { HashKeyRange as _eddy_v1_HashKeyRange, HashKeyRange__Output as _eddy_v1_HashKeyRange__Output } from '../../eddy/v1/HashKeyRange.js';
import type { SequenceNumberRange as _eddy_v1_SequenceNumberRange, SequenceNumberRange__Output as _eddy_v1_SequenceNumberRange__Output } from '../../eddy/v1/SequenceNumberRange.js';

export interface Shard {
  'shard_id'?: (string);
  'parent_shard_id'?: (string);
  'adjacent_parent_shard_id'?: (string);
  'hash_key_range'?: (_eddy_v1_HashKeyRange | null);
  'sequence_number_range'?: (_eddy_v1_SequenceNumberRange | null);
  'leader_address'?: (string);
}

export interface Shard__Output {
  'shard_id': (string);
  'parent_shard_id': (string);
  'adjacent_parent_shard_id': (string);
  'hash_key_range': (_eddy_v1_HashKeyRange__Output | null);
  'sequence_number_range': (_eddy_v1_SequenceNumberRange__Output | null);
  'leader_address': (string);
}

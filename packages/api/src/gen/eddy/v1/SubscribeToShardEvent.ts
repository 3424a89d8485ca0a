// Original file: proto/eddy/v1/streams.proto

import type { Record as _eddy_v1_Record, Record__Output as _eddy_v1_Record__Output } from '../../eddy/v1/Record.js';
import type { ChildShard as _eddy_v1_ChildShard, ChildShard__Output as _eddy_v1_ChildShard__Output } from '../../eddy/v1/ChildShard.js';
import type { Long } from '@grpc/proto-loader';

export interface SubscribeToShardEvent {
  'records'?: (_eddy_v1_Record)[];
  'continuation_sequence_number'?: (string);
  'millis_behind_latest'?: (number | string | Long);
  'child_shards'?: (_eddy_v1_ChildShard)[];
}

export interface SubscribeToShardEvent__Output {
  'records': (_eddy_v1_Record__Output)[];
  'continuation_sequence_number': (string);
  'millis_behind_latest': (string);
  'child_shards': (_eddy_v1_ChildShard__Output)[];
}

// Original file: proto/eddy/v1/streams.proto

import type { ShardIteratorType as _eddy_v1_ShardIteratorType, ShardIteratorType__Output as _eddy_v1_ShardIteratorType__Output } from '../../eddy/v1/ShardIteratorType.js';
import type { Long } from '@grpc/proto-loader';

export interface StartingPosition {
  'type'?: (_eddy_v1_ShardIteratorType);
  'sequence_number'?: (string);
  'timestamp'?: (number | string | Long);
}

export interface StartingPosition__Output {
  'type': (_eddy_v1_ShardIteratorType__Output);
  'sequence_number': (string);
  'timestamp': (string);
}

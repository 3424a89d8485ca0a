// Original file: proto/eddy/v1/streams.proto

import type { Long } from '@grpc/proto-loader';

export interface ShardReport {
  'shard_id'?: (string);
  'millis_behind_latest'?: (number | string | Long);
  'halted_reason'?: (string);
}

export interface ShardReport__Output {
  'shard_id': (string);
  'millis_behind_latest': (string);
  'halted_reason': (string);
}

// Original file: proto/eddy/v1/streams.proto

import type { StreamStatus as _eddy_v1_StreamStatus, StreamStatus__Output as _eddy_v1_StreamStatus__Output } from '../../eddy/v1/StreamStatus.js';
import type { StreamMode as _eddy_v1_StreamMode, StreamMode__Output as _eddy_v1_StreamMode__Output } from '../../eddy/v1/StreamMode.js';
import type { Shard as _eddy_v1_Shard, Shard__Output as _eddy_v1_Shard__Output } from '../../eddy/v1/Shard.js';
import type { Long } from '@grpc/proto-loader';

export interface StreamDescription {
  'stream_name'?: (string);
  'stream_arn'?: (string);
  'stream_status'?: (_eddy_v1_StreamStatus);
  'stream_mode'?: (_eddy_v1_StreamMode);
  'shards'?: (_eddy_v1_Shard)[];
  'has_more_shards'?: (boolean);
  'retention_period_hours'?: (number);
  'stream_creation_timestamp'?: (number | string | Long);
  'max_record_size_bytes'?: (number);
}

export interface StreamDescription__Output {
  'stream_name': (string);
  'stream_arn': (string);
  'stream_status': (_eddy_v1_StreamStatus__Output);
  'stream_mode': (_eddy_v1_StreamMode__Output);
  'shards': (_eddy_v1_Shard__Output)[];
  'has_more_shards': (boolean);
  'retention_period_hours': (number);
  'stream_creation_timestamp': (string);
  'max_record_size_bytes': (number);
}

// Original file: proto/eddy/v1/streams.proto

import type { StreamMode as _eddy_v1_StreamMode, StreamMode__Output as _eddy_v1_StreamMode__Output } from '../../eddy/v1/StreamMode.js';

export interface CreateStreamRequest {
  'stream_name'?: (string);
  'shard_count'?: (number);
  'stream_mode'?: (_eddy_v1_StreamMode);
  'retention_period_hours'?: (number);
  'max_record_size_bytes'?: (number);
}

export interface CreateStreamRequest__Output {
  'stream_name': (string);
  'shard_count': (number);
  'stream_mode': (_eddy_v1_StreamMode__Output);
  'retention_period_hours': (number);
  'max_record_size_bytes': (number);
}

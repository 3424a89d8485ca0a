// Original file: proto/eddy/v1/streams.proto

import type { StreamStatus as _eddy_v1_StreamStatus, StreamStatus__Output as _eddy_v1_StreamStatus__Output } from '../../eddy/v1/StreamStatus.js';
import type { StreamMode as _eddy_v1_StreamMode, StreamMode__Output as _eddy_v1_StreamMode__Output } from '../../eddy/v1/StreamMode.js';
import type { Long } from '@grpc/proto-loader';

export interface StreamSummary {
  'stream_name'?: (string);
  'stream_arn'?: (string);
  'stream_status'?: (_eddy_v1_StreamStatus);
  'stream_mode'?: (_eddy_v1_StreamMode);
  'stream_creation_timestamp'?: (number | string | Long);
}

export interface StreamSummary__Output {
  'stream_name': (string);
  'stream_arn': (string);
  'stream_status': (_eddy_v1_StreamStatus__Output);
  'stream_mode': (_eddy_v1_StreamMode__Output);
  'stream_creation_timestamp': (string);
}

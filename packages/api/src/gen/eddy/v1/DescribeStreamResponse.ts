// Original file: proto/eddy/v1/streams.proto

import type { StreamDescription as _eddy_v1_StreamDescription, StreamDescription__Output as _eddy_v1_StreamDescription__Output } from '../../eddy/v1/StreamDescription.js';

export interface DescribeStreamResponse {
  'stream_description'?: (_eddy_v1_StreamDescription | null);
}

export interface DescribeStreamResponse__Output {
  'stream_description': (_eddy_v1_StreamDescription__Output | null);
}

// Original file: proto/eddy/v1/streams.proto

import type { StreamSummary as _eddy_v1_StreamSummary, StreamSummary__Output as _eddy_v1_StreamSummary__Output } from '../../eddy/v1/StreamSummary.js';

export interface ListStreamsResponse {
  'stream_names'?: (string)[];
  'has_more_streams'?: (boolean);
  'next_token'?: (string);
  'stream_summaries'?: (_eddy_v1_StreamSummary)[];
}

export interface ListStreamsResponse__Output {
  'stream_names': (string)[];
  'has_more_streams': (boolean);
  'next_token': (string);
  'stream_summaries': (_eddy_v1_StreamSummary__Output)[];
}

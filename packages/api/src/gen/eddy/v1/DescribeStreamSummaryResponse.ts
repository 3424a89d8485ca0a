// Original file: proto/eddy/v1/streams.proto

import type { StreamDescriptionSummary as _eddy_v1_StreamDescriptionSummary, StreamDescriptionSummary__Output as _eddy_v1_StreamDescriptionSummary__Output } from '../../eddy/v1/StreamDescriptionSummary.js';

export interface DescribeStreamSummaryResponse {
  'stream_description_summary'?: (_eddy_v1_StreamDescriptionSummary | null);
}

export interface DescribeStreamSummaryResponse__Output {
  'stream_description_summary': (_eddy_v1_StreamDescriptionSummary__Output | null);
}

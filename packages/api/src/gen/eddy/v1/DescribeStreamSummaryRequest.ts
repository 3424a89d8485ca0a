// Original file: proto/eddy/v1/streams.proto


export interface DescribeStreamSummaryRequest {
  'stream_name'?: (string);
}

export interface DescribeStreamSummaryRequest__Output {
  'stream_name': (string);
}

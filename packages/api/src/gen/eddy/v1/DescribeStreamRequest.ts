// Original file: proto/eddy/v1/streams.proto


export interface DescribeStreamRequest {
  'stream_name'?: (string);
  'limit'?: (number);
  'exclusive_start_shard_id'?: (string);
}

export interface DescribeStreamRequest__Output {
  'stream_name': (string);
  'limit': (number);
  'exclusive_start_shard_id': (string);
}

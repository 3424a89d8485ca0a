// Original file: proto/eddy/v1/streams.proto


export interface ListStreamsRequest {
  'limit'?: (number);
  'exclusive_start_stream_name'?: (string);
  'next_token'?: (string);
}

export interface ListStreamsRequest__Output {
  'limit': (number);
  'exclusive_start_stream_name': (string);
  'next_token': (string);
}

// Original file: proto/eddy/v1/streams.proto


export interface DeleteStreamRequest {
  'stream_name'?: (string);
  'enforce_consumer_deletion'?: (boolean);
}

export interface DeleteStreamRequest__Output {
  'stream_name': (string);
  'enforce_consumer_deletion': (boolean);
}

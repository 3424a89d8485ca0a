// Original file: proto/eddy/v1/streams.proto


export interface GetRecordsRequest {
  'shard_iterator'?: (string);
  'limit'?: (number);
}

export interface GetRecordsRequest__Output {
  'shard_iterator': (string);
  'limit': (number);
}

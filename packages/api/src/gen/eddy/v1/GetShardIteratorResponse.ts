// Original file: proto/eddy/v1/streams.proto


export interface GetShardIteratorResponse {
  'shard_iterator'?: (string);
}

export interface GetShardIteratorResponse__Output {
  'shard_iterator': (string);
}

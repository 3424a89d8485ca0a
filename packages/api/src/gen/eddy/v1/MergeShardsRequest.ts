// Original file: proto/eddy/v1/streams.proto


export interface MergeShardsRequest {
  'stream_name'?: (string);
  'shard_to_merge'?: (string);
  'adjacent_shard_to_merge'?: (string);
}

export interface MergeShardsRequest__Output {
  'stream_name': (string);
  'shard_to_merge': (string);
  'adjacent_shard_to_merge': (string);
}

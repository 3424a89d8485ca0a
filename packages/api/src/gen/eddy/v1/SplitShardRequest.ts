// Original file: proto/eddy/v1/streams.proto


export interface SplitShardRequest {
  'stream_name'?: (string);
  'shard_to_split'?: (string);
  'new_starting_hash_key'?: (string);
}

export interface SplitShardRequest__Output {
  'stream_name': (string);
  'shard_to_split': (string);
  'new_starting_hash_key': (string);
}

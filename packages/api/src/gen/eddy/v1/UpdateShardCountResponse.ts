// Original file: proto/eddy/v1/streams.proto


export interface UpdateShardCountResponse {
  'stream_name'?: (string);
  'current_shard_count'?: (number);
  'target_shard_count'?: (number);
}

export interface UpdateShardCountResponse__Output {
  'stream_name': (string);
  'current_shard_count': (number);
  'target_shard_count': (number);
}

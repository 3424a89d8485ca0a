// Original file: proto/eddy/v1/streams.proto


export interface UpdateShardCountRequest {
  'stream_name'?: (string);
  'target_shard_count'?: (number);
  'scaling_type'?: (string);
}

export interface UpdateShardCountRequest__Output {
  'stream_name': (string);
  'target_shard_count': (number);
  'scaling_type': (string);
}

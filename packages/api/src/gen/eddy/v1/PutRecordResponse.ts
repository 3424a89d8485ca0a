// Original file: proto/eddy/v1/streams.proto


export interface PutRecordResponse {
  'shard_id'?: (string);
  'sequence_number'?: (string);
  'encryption_type'?: (string);
}

export interface PutRecordResponse__Output {
  'shard_id': (string);
  'sequence_number': (string);
  'encryption_type': (string);
}

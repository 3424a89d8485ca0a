// Original file: proto/eddy/v1/streams.proto


export interface PutRecordsResultEntry {
  'shard_id'?: (string);
  'sequence_number'?: (string);
  'error_code'?: (string);
  'error_message'?: (string);
}

export interface PutRecordsResultEntry__Output {
  'shard_id': (string);
  'sequence_number': (string);
  'error_code': (string);
  'error_message': (string);
}

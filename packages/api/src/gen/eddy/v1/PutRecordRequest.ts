// Original file: proto/eddy/v1/streams.proto


export interface PutRecordRequest {
  'stream_name'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'partition_key'?: (string);
  'explicit_hash_key'?: (string);
  'sequence_number_for_ordering'?: (string);
}

export interface PutRecordRequest__Output {
  'stream_name': (string);
  'data': (Buffer);
  'partition_key': (string);
  'explicit_hash_key': (string);
  'sequence_number_for_ordering': (string);
}

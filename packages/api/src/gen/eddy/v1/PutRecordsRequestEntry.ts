// Original file: proto/eddy/v1/streams.proto


export interface PutRecordsRequestEntry {
  'data'?: (Buffer | Uint8Array | string);
  'partition_key'?: (string);
  'explicit_hash_key'?: (string);
}

export interface PutRecordsRequestEntry__Output {
  'data': (Buffer);
  'partition_key': (string);
  'explicit_hash_key': (string);
}

// Original file: proto/eddy/v1/streams.proto


export interface HashKeyRange {
  'starting_hash_key'?: (string);
  'ending_hash_key'?: (string);
}

export interface HashKeyRange__Output {
  'starting_hash_key': (string);
  'ending_hash_key': (string);
}

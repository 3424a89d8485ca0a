// Original file: proto/eddy/v1/streams.proto


export interface SequenceNumberRange {
  'starting_sequence_number'?: (string);
  'ending_sequence_number'?: (string);
}

export interface SequenceNumberRange__Output {
  'starting_sequence_number': (string);
  'ending_sequence_number': (string);
}

// Original file: proto/eddy/v1/streams.proto

import type { Long } from '@grpc/proto-loader';

export interface ResumePosition {
  'type'?: (string);
  'sequence_number'?: (string);
  'timestamp'?: (number | string | Long);
}

export interface ResumePosition__Output {
  'type': (string);
  'sequence_number': (string);
  'timestamp': (string);
}

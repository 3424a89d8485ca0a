// Original file: proto/eddy/v1/streams.proto

import type { Long } from '@grpc/proto-loader';

export interface Record {
  'sequence_number'?: (string);
  'approximate_arrival_timestamp'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'partition_key'?: (string);
  'encryption_type'?: (string);
}

export interface Record__Output {
  'sequence_number': (string);
  'approximate_arrival_timestamp': (string);
  'data': (Buffer);
  'partition_key': (string);
  'encryption_type': (string);
}

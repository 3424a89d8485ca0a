// Original file: proto/eddy/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ReplicaRecord {
  'sequence_number'?: (string);
  'partition_key'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'approximate_arrival_timestamp_ms'?: (number | string | Long);
}

export interface ReplicaRecord__Output {
  'sequence_number': (string);
  'partition_key': (string);
  'data': (Buffer);
  'approximate_arrival_timestamp_ms': (string);
}

// Original file: proto/eddy/v1/streams.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateApplicationRequest {
  'stream_name'?: (string);
  'application_name'?: (string);
  'initial_position'?: (string);
  'initial_timestamp'?: (number | string | Long);
  'lease_timeout_ms'?: (number);
}

export interface CreateApplicationRequest__Output {
  'stream_name': (string);
  'application_name': (string);
  'initial_position': (string);
  'initial_timestamp': (string);
  'lease_timeout_ms': (number);
}

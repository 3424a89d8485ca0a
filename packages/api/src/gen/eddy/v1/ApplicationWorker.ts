// Original file: proto/eddy/v1/streams.proto

import type { Long } from '@grpc/proto-loader';

export interface ApplicationWorker {
  'worker_id'?: (string);
  'last_heartbeat'?: (number | string | Long);
  'lease_count'?: (number);
}

export interface ApplicationWorker__Output {
  'worker_id': (string);
  'last_heartbeat': (string);
  'lease_count': (number);
}

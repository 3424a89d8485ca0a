// Original file: proto/eddy/v1/streams.proto

import type { HeldLease as _eddy_v1_HeldLease, HeldLease__Output as _eddy_v1_HeldLease__Output } from '../../eddy/v1/HeldLease.js';
import type { Long } from '@grpc/proto-loader';

export interface WorkerHeartbeatResponse {
  'leases'?: (_eddy_v1_HeldLease)[];
  'release'?: (string)[];
  'lease_timeout_ms'?: (number);
  'next_expiry_in_ms'?: (number | string | Long);
}

export interface WorkerHeartbeatResponse__Output {
  'leases': (_eddy_v1_HeldLease__Output)[];
  'release': (string)[];
  'lease_timeout_ms': (number);
  'next_expiry_in_ms': (string);
}

// Original file: proto/eddy/v1/streams.proto

import type { ResumePosition as _eddy_v1_ResumePosition, ResumePosition__Output as _eddy_v1_ResumePosition__Output } from '../../eddy/v1/ResumePosition.js';
import type { Long } from '@grpc/proto-loader';

export interface HeldLease {
  'shard_id'?: (string);
  'epoch'?: (number | string | Long);
  'start_from'?: (_eddy_v1_ResumePosition | null);
}

export interface HeldLease__Output {
  'shard_id': (string);
  'epoch': (string);
  'start_from': (_eddy_v1_ResumePosition__Output | null);
}

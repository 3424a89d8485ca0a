// Original file: proto/eddy/v1/streams.proto

import type { ResumePosition as _eddy_v1_ResumePosition, ResumePosition__Output as _eddy_v1_ResumePosition__Output } from '../../eddy/v1/ResumePosition.js';
import type { Long } from '@grpc/proto-loader';

export interface CheckpointRequest {
  'stream_name'?: (string);
  'application_name'?: (string);
  'worker_id'?: (string);
  'shard_id'?: (string);
  'epoch'?: (number | string | Long);
  'position'?: (_eddy_v1_ResumePosition | null);
}

export interface CheckpointRequest__Output {
  'stream_name': (string);
  'application_name': (string);
  'worker_id': (string);
  'shard_id': (string);
  'epoch': (string);
  'position': (_eddy_v1_ResumePosition__Output | null);
}

// Original file: proto/eddy/v1/streams.proto

import type { ResumePosition as _eddy_v1_ResumePosition, ResumePosition__Output as _eddy_v1_ResumePosition__Output } from '../../eddy/v1/ResumePosition.js';
import type { Long } from '@grpc/proto-loader';

export interface ApplicationShard {
  'shard_id'?: (string);
  'owner'?: (string);
  'lease_epoch'?: (number | string | Long);
  'checkpoint'?: (_eddy_v1_ResumePosition | null);
  'checkpoint_written_at'?: (number | string | Long);
  'checkpoint_worker'?: (string);
  'millis_behind_latest'?: (number | string | Long);
  'halted_reason'?: (string);
  'halted_worker'?: (string);
  'halted_at'?: (number | string | Long);
}

export interface ApplicationShard__Output {
  'shard_id': (string);
  'owner': (string);
  'lease_epoch': (string);
  'checkpoint': (_eddy_v1_ResumePosition__Output | null);
  'checkpoint_written_at': (string);
  'checkpoint_worker': (string);
  'millis_behind_latest': (string);
  'halted_reason': (string);
  'halted_worker': (string);
  'halted_at': (string);
}

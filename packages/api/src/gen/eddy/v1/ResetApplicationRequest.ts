// Original file: proto/eddy/v1/streams.proto

import type { ResumePosition as _eddy_v1_ResumePosition, ResumePosition__Output as _eddy_v1_ResumePosition__Output } from '../../eddy/v1/ResumePosition.js';

export interface ResetApplicationRequest {
  'stream_name'?: (string);
  'application_name'?: (string);
  'position'?: (_eddy_v1_ResumePosition | null);
  'shard_id'?: (string);
  'force'?: (boolean);
}

export interface ResetApplicationRequest__Output {
  'stream_name': (string);
  'application_name': (string);
  'position': (_eddy_v1_ResumePosition__Output | null);
  'shard_id': (string);
  'force': (boolean);
}

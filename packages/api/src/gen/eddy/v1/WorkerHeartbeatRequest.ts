// Original file: proto/eddy/v1/streams.proto

import type { ShardReport as _eddy_v1_ShardReport, ShardReport__Output as _eddy_v1_ShardReport__Output } from '../../eddy/v1/ShardReport.js';

export interface WorkerHeartbeatRequest {
  'stream_name'?: (string);
  'application_name'?: (string);
  'worker_id'?: (string);
  'incarnation'?: (string);
  'released'?: (string)[];
  'leaving'?: (boolean);
  'reports'?: (_eddy_v1_ShardReport)[];
}

export interface WorkerHeartbeatRequest__Output {
  'stream_name': (string);
  'application_name': (string);
  'worker_id': (string);
  'incarnation': (string);
  'released': (string)[];
  'leaving': (boolean);
  'reports': (_eddy_v1_ShardReport__Output)[];
}

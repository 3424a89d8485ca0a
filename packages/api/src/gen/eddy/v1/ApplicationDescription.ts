// Original file: proto/eddy/v1/streams.proto

import type { ApplicationWorker as _eddy_v1_ApplicationWorker, ApplicationWorker__Output as _eddy_v1_ApplicationWorker__Output } from '../../eddy/v1/ApplicationWorker.js';
import type { ApplicationShard as _eddy_v1_ApplicationShard, ApplicationShard__Output as _eddy_v1_ApplicationShard__Output } from '../../eddy/v1/ApplicationShard.js';
import type { Long } from '@grpc/proto-loader';

export interface ApplicationDescription {
  'stream_name'?: (string);
  'application_name'?: (string);
  'created_at'?: (number | string | Long);
  'initial_position'?: (string);
  'initial_timestamp'?: (number | string | Long);
  'lease_timeout_ms'?: (number);
  'workers'?: (_eddy_v1_ApplicationWorker)[];
  'shards'?: (_eddy_v1_ApplicationShard)[];
}

export interface ApplicationDescription__Output {
  'stream_name': (string);
  'application_name': (string);
  'created_at': (string);
  'initial_position': (string);
  'initial_timestamp': (string);
  'lease_timeout_ms': (number);
  'workers': (_eddy_v1_ApplicationWorker__Output)[];
  'shards': (_eddy_v1_ApplicationShard__Output)[];
}

// Original file: proto/eddy/v1/streams.proto

import type { ApplicationDescription as _eddy_v1_ApplicationDescription, ApplicationDescription__Output as _eddy_v1_ApplicationDescription__Output } from '../../eddy/v1/ApplicationDescription.js';

export interface DescribeApplicationResponse {
  'application'?: (_eddy_v1_ApplicationDescription | null);
}

export interface DescribeApplicationResponse__Output {
  'application': (_eddy_v1_ApplicationDescription__Output | null);
}

// Original file: proto/eddy/v1/streams.proto

import type { ApplicationDescription as _eddy_v1_ApplicationDescription, ApplicationDescription__Output as _eddy_v1_ApplicationDescription__Output } from '../../eddy/v1/ApplicationDescription.js';

export interface ListApplicationsResponse {
  'applications'?: (_eddy_v1_ApplicationDescription)[];
}

export interface ListApplicationsResponse__Output {
  'applications': (_eddy_v1_ApplicationDescription__Output)[];
}

// Original file: proto/eddy/v1/streams.proto

import type { PermissionGrant as _eddy_v1_PermissionGrant, PermissionGrant__Output as _eddy_v1_PermissionGrant__Output } from '../../eddy/v1/PermissionGrant.js';
import type { Long } from '@grpc/proto-loader';

export interface Principal {
  'name'?: (string);
  'access_key_id'?: (string);
  'created_at_ms'?: (number | string | Long);
  'grants'?: (_eddy_v1_PermissionGrant)[];
}

export interface Principal__Output {
  'name': (string);
  'access_key_id': (string);
  'created_at_ms': (string);
  'grants': (_eddy_v1_PermissionGrant__Output)[];
}

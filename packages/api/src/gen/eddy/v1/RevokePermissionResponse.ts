// Original file: proto/eddy/v1/streams.proto

import type { Principal as _eddy_v1_Principal, Principal__Output as _eddy_v1_Principal__Output } from '../../eddy/v1/Principal.js';

export interface RevokePermissionResponse {
  'principal'?: (_eddy_v1_Principal | null);
}

export interface RevokePermissionResponse__Output {
  'principal': (_eddy_v1_Principal__Output | null);
}

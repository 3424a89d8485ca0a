// Original file: proto/eddy/v1/streams.proto

import type { Principal as _eddy_v1_Principal, Principal__Output as _eddy_v1_Principal__Output } from '../../eddy/v1/Principal.js';

export interface CreatePrincipalResponse {
  'principal'?: (_eddy_v1_Principal | null);
  'secret_access_key'?: (string);
}

export interface CreatePrincipalResponse__Output {
  'principal': (_eddy_v1_Principal__Output | null);
  'secret_access_key': (string);
}

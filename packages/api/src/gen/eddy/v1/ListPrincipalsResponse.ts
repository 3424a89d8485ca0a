// Original file: proto/eddy/v1/streams.proto

import type { Principal as _eddy_v1_Principal, Principal__Output as _eddy_v1_Principal__Output } from '../../eddy/v1/Principal.js';

export interface ListPrincipalsResponse {
  'principals'?: (_eddy_v1_Principal)[];
}

export interface ListPrincipalsResponse__Output {
  'principals': (_eddy_v1_Principal__Output)[];
}

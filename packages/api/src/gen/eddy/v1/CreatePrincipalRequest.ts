// Original file: proto/eddy/v1/streams.proto


export interface CreatePrincipalRequest {
  'name'?: (string);
}

export interface CreatePrincipalRequest__Output {
  'name': (string);
}

// Original file: proto/eddy/v1/streams.proto


export interface DeletePrincipalRequest {
  'name'?: (string);
}

export interface DeletePrincipalRequest__Output {
  'name': (string);
}

// Original file: proto/eddy/v1/streams.proto


export interface RevokePermissionRequest {
  'name'?: (string);
  'resource'?: (string);
  'actions'?: (string)[];
}

export interface RevokePermissionRequest__Output {
  'name': (string);
  'resource': (string);
  'actions': (string)[];
}

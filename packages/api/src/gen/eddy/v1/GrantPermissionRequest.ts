// Original file: proto/eddy/v1/streams.proto


export interface GrantPermissionRequest {
  'name'?: (string);
  'resource'?: (string);
  'actions'?: (string)[];
}

export interface GrantPermissionRequest__Output {
  'name': (string);
  'resource': (string);
  'actions': (string)[];
}

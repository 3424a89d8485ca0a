// Original file: proto/eddy/v1/streams.proto


export interface PermissionGrant {
  'resource'?: (string);
  'actions'?: (string)[];
}

export interface PermissionGrant__Output {
  'resource': (string);
  'actions': (string)[];
}

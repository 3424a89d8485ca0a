// Original file: proto/eddy/v1/streams.proto


export interface DeleteApplicationRequest {
  'stream_name'?: (string);
  'application_name'?: (string);
}

export interface DeleteApplicationRequest__Output {
  'stream_name': (string);
  'application_name': (string);
}

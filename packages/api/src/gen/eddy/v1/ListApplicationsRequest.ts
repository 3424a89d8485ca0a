// Original file: proto/eddy/v1/streams.proto


export interface ListApplicationsRequest {
  'stream_name'?: (string);
}

export interface ListApplicationsRequest__Output {
  'stream_name': (string);
}

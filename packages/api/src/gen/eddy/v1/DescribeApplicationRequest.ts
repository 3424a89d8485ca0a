// Original file: proto/eddy/v1/streams.proto


export interface DescribeApplicationRequest {
  'stream_name'?: (string);
  'application_name'?: (string);
}

export interface DescribeApplicationRequest__Output {
  'stream_name': (string);
  'application_name': (string);
}

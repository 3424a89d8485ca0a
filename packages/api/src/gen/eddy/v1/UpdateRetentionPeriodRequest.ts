// Original file: proto/eddy/v1/streams.proto


export interface UpdateRetentionPeriodRequest {
  'stream_name'?: (string);
  'retention_period_hours'?: (number);
}

export interface UpdateRetentionPeriodRequest__Output {
  'stream_name': (string);
  'retention_period_hours': (number);
}

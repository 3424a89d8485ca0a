// Original file: proto/eddy/v1/streams.proto


export interface UpdateRetentionPeriodResponse {
}

export interface UpdateRetentionPeriodResponse__Output {
}

// Original file: proto/eddy/v1/streams.proto


export interface ResetApplicationResponse {
}

export interface ResetApplicationResponse__Output {
}

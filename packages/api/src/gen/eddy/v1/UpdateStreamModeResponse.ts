// Original file: proto/eddy/v1/streams.proto


export interface UpdateStreamModeResponse {
}

export interface UpdateStreamModeResponse__Output {
}

// Original file: proto/eddy/v1/streams.proto


export interface DeleteApplicationResponse {
}

export interface DeleteApplicationResponse__Output {
}

// Original file: proto/eddy/v1/streams.proto


export interface DeleteStreamResponse {
}

export interface DeleteStreamResponse__Output {
}

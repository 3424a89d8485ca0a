// Original file: proto/eddy/v1/streams.proto


export interface CreateStreamResponse {
}

export interface CreateStreamResponse__Output {
}

// Original file: proto/eddy/v1/streams.proto


export interface CheckpointResponse {
}

export interface CheckpointResponse__Output {
}

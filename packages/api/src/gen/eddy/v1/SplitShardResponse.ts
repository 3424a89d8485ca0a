// Original file: proto/eddy/v1/streams.proto


export interface SplitShardResponse {
}

export interface SplitShardResponse__Output {
}

// Original file: proto/eddy/v1/streams.proto


export interface MergeShardsResponse {
}

export interface MergeShardsResponse__Output {
}

// Original file: proto/eddy/v1/cluster.proto


export interface ReadIndexRequest {
}

export interface ReadIndexRequest__Output {
}

// Original file: proto/eddy/v1/streams.proto


export interface DeletePrincipalResponse {
}

export interface DeletePrincipalResponse__Output {
}

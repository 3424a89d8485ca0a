// Original file: proto/eddy/v1/streams.proto


export interface ListPrincipalsRequest {
}

export interface ListPrincipalsRequest__Output {
}

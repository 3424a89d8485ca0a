// Original file: proto/eddy/v1/cluster.proto


export interface ProposeCommandRequest {
  'command'?: (Buffer | Uint8Array | string);
}

export interface ProposeCommandRequest__Output {
  'command': (Buffer);
}

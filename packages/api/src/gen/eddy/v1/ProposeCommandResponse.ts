// Original file: proto/eddy/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ProposeCommandResponse {
  'index'?: (number | string | Long);
}

export interface ProposeCommandResponse__Output {
  'index': (string);
}

// Original file: proto/eddy/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadIndexResponse {
  'commit_index'?: (number | string | Long);
}

export interface ReadIndexResponse__Output {
  'commit_index': (string);
}

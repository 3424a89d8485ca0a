// Original file: proto/eddy/v1/streams.proto

import type { Long } from '@grpc/proto-loader';

export interface InitProducerResponse {
  'producer_epoch'?: (number | string | Long);
}

export interface InitProducerResponse__Output {
  'producer_epoch': (string);
}

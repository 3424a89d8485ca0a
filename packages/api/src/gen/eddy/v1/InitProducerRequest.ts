// Original file: proto/eddy/v1/streams.proto


export interface InitProducerRequest {
  'producer_id'?: (string);
}

export interface InitProducerRequest__Output {
  'producer_id': (string);
}

// Original file: proto/eddy/v1/streams.proto

import type { PutRecordsRequestEntry as _eddy_v1_PutRecordsRequestEntry, PutRecordsRequestEntry__Output as _eddy_v1_PutRecordsRequestEntry__Output } from '../../eddy/v1/PutRecordsRequestEntry.js';
import type { Long } from '@grpc/proto-loader';

export interface PutRecordsRequest {
  'stream_name'?: (string);
  'records'?: (_eddy_v1_PutRecordsRequestEntry)[];
  'producer_id'?: (string);
  'producer_epoch'?: (number | string | Long);
  'producer_sequence'?: (number | string | Long);
  'producer_shard_id'?: (string);
}

export interface PutRecordsRequest__Output {
  'stream_name': (string);
  'records': (_eddy_v1_PutRecordsRequestEntry__Output)[];
  'producer_id': (string);
  'producer_epoch': (string);
  'producer_sequence': (string);
  'producer_shard_id': (string);
}

// Original file: proto/eddy/v1/streams.proto

import type { PutRecordsRequestEntry as _eddy_v1_PutRecordsRequestEntry, PutRecordsRequestEntry__Output as _eddy_v1_PutRecordsRequestEntry__Output } from '../../eddy/v1/PutRecordsRequestEntry.js';

export interface PutRecordsRequest {
  'stream_name'?: (string);
  'records'?: (_eddy_v1_PutRecordsRequestEntry)[];
}

export interface PutRecordsRequest__Output {
  'stream_name': (string);
  'records': (_eddy_v1_PutRecordsRequestEntry__Output)[];
}

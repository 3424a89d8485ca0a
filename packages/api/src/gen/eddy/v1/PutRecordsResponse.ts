// Original file: proto/eddy/v1/streams.proto

import type { PutRecordsResultEntry as _eddy_v1_PutRecordsResultEntry, PutRecordsResultEntry__Output as _eddy_v1_PutRecordsResultEntry__Output } from '../../eddy/v1/PutRecordsResultEntry.js';

export interface PutRecordsResponse {
  'failed_record_count'?: (number);
  'records'?: (_eddy_v1_PutRecordsResultEntry)[];
  'encryption_type'?: (string);
}

export interface PutRecordsResponse__Output {
  'failed_record_count': (number);
  'records': (_eddy_v1_PutRecordsResultEntry__Output)[];
  'encryption_type': (string);
}

// Original file: proto/eddy/v1/streams.proto

import type { StreamMode as _eddy_v1_StreamMode, StreamMode__Output as _eddy_v1_StreamMode__Output } from '../../eddy/v1/StreamMode.js';

export interface UpdateStreamModeRequest {
  'stream_name'?: (string);
  'stream_mode'?: (_eddy_v1_StreamMode);
}

export interface UpdateStreamModeRequest__Output {
  'stream_name': (string);
  'stream_mode': (_eddy_v1_StreamMode__Output);
}

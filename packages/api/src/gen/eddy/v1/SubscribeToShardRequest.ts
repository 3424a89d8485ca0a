// Original file: proto/eddy/v1/streams.proto

import type { StartingPosition as _eddy_v1_StartingPosition, StartingPosition__Output as _eddy_v1_StartingPosition__Output } from '../../eddy/v1/StartingPosition.js';

export interface SubscribeToShardRequest {
  'stream_name'?: (string);
  'shard_id'?: (string);
  'starting_position'?: (_eddy_v1_StartingPosition | null);
  'consumer_name'?: (string);
}

export interface SubscribeToShardRequest__Output {
  'stream_name': (string);
  'shard_id': (string);
  'starting_position': (_eddy_v1_StartingPosition__Output | null);
  'consumer_name': (string);
}

// Original file: proto/eddy/v1/streams.proto

export const StreamStatus = {
  STREAM_STATUS_UNSPECIFIED: 'STREAM_STATUS_UNSPECIFIED',
  CREATING: 'CREATING',
  DELETING: 'DELETING',
  ACTIVE: 'ACTIVE',
  UPDATING: 'UPDATING',
} as const;

export type StreamStatus =
  | 'STREAM_STATUS_UNSPECIFIED'
  | 0
  | 'CREATING'
  | 1
  | 'DELETING'
  | 2
  | 'ACTIVE'
  | 3
  | 'UPDATING'
  | 4

export type StreamStatus__Output = typeof StreamStatus[keyof typeof StreamStatus]

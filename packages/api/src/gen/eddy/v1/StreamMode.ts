// Original file: proto/eddy/v1/streams.proto

export const StreamMode = {
  STREAM_MODE_UNSPECIFIED: 'STREAM_MODE_UNSPECIFIED',
  PROVISIONED: 'PROVISIONED',
  ON_DEMAND: 'ON_DEMAND',
} as const;

export type StreamMode =
  | 'STREAM_MODE_UNSPECIFIED'
  | 0
  | 'PROVISIONED'
  | 1
  | 'ON_DEMAND'
  | 2

export type StreamMode__Output = typeof StreamMode[keyof typeof StreamMode]

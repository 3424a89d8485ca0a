// Original file: proto/eddy/v1/streams.proto

export const ShardFilterType = {
  SHARD_FILTER_TYPE_UNSPECIFIED: 'SHARD_FILTER_TYPE_UNSPECIFIED',
  AFTER_SHARD_ID: 'AFTER_SHARD_ID',
  AT_TRIM_HORIZON: 'AT_TRIM_HORIZON',
  FROM_TRIM_HORIZON: 'FROM_TRIM_HORIZON',
  AT_LATEST: 'AT_LATEST',
  AT_TIMESTAMP_FILTER: 'AT_TIMESTAMP_FILTER',
  FROM_TIMESTAMP: 'FROM_TIMESTAMP',
} as const;

export type ShardFilterType =
  | 'SHARD_FILTER_TYPE_UNSPECIFIED'
  | 0
  | 'AFTER_SHARD_ID'
  | 1
  | 'AT_TRIM_HORIZON'
  | 2
  | 'FROM_TRIM_HORIZON'
  | 3
  | 'AT_LATEST'
  | 4
  | 'AT_TIMESTAMP_FILTER'
  | 5
  | 'FROM_TIMESTAMP'
  | 6

export type ShardFilterType__Output = typeof ShardFilterType[keyof typeof ShardFilterType]

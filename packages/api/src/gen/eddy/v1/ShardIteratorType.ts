// Original file: proto/eddy/v1/streams.proto

export const ShardIteratorType = {
  SHARD_ITERATOR_TYPE_UNSPECIFIED: 'SHARD_ITERATOR_TYPE_UNSPECIFIED',
  TRIM_HORIZON: 'TRIM_HORIZON',
  LATEST: 'LATEST',
  AT_SEQUENCE_NUMBER: 'AT_SEQUENCE_NUMBER',
  AFTER_SEQUENCE_NUMBER: 'AFTER_SEQUENCE_NUMBER',
  AT_TIMESTAMP: 'AT_TIMESTAMP',
} as const;

export type ShardIteratorType =
  | 'SHARD_ITERATOR_TYPE_UNSPECIFIED'
  | 0
  | 'TRIM_HORIZON'
  | 1
  | 'LATEST'
  | 2
  | 'AT_SEQUENCE_NUMBER'
  | 3
  | 'AFTER_SEQUENCE_NUMBER'
  | 4
  | 'AT_TIMESTAMP'
  | 5

export type ShardIteratorType__Output = typeof ShardIteratorType[keyof typeof ShardIteratorType]

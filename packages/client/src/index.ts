export {
  EddyClient,
  DEFAULT_ENDPOINT,
  DEFAULT_DEADLINE_MS,
  STREAM_ACTIVE_POLL_INTERVAL_MS,
  toKinesisError,
  type EddyClientOptions,
  type PrincipalInfo,
  type InitProducerInput,
  type InitProducerOutput,
  type ProducerBatchId,
  type PutShardRecordsInput,
} from "./client.js";
export { tlsCredentials, type ClientTlsOptions } from "./tls.js";
export {
  ROUTED_STREAMS_MAX,
  ROUTE_TTL_MS,
  ROUTE_RELOAD_INTERVAL_MIN_MS,
  ROUTED_CHANNELS_MAX,
  ITERATOR_ROUTES_MAX,
  DOWN_ADDRESS_MS,
  type ShardRoute,
  type StreamRoute,
} from "./routing.js";
export {
  Producer,
  PRODUCER_DEFAULTS,
  type ProducerClient,
  type ProducerEvents,
  type ProducerFailureEvent,
  type ProducerMetrics,
  type ProducerOptions,
  type ProducerPutResult,
  type ProducerRecord,
  type ProducerRetryEvent,
} from "./producer.js";
export {
  ProducerWritable,
  WRITABLE_RECORDS_OUTSTANDING_MAX_DEFAULT,
  type ProducerChunk,
  type ProducerWritableOptions,
} from "./producer-writable.js";
export type * from "./types.js";
export {
  Application,
  APPLICATION_DEFAULTS,
  type ApplicationEvents,
  type ApplicationMetrics,
  type ApplicationOptions,
  type ShardStatus,
} from "./application/application.js";
export {
  type Checkpointer,
  type CheckpointMode,
  type ProcessRecordsInput,
  type RecordProcessor,
  type ShardEndCheckpointer,
} from "./application/shard-consumer.js";
export {
  AttemptTimeoutError,
  DEFAULT_FAILURE_POLICY,
  FAILURE_POLICY_LIMITS,
  type FailureAction,
  type FailurePolicy,
} from "./application/batch-runner.js";
export { parseDeadLetter, type DeadLetter } from "./application/dead-letter.js";
export type * from "./application/wire.js";
export { registerApplicationMetrics } from "./application/prometheus.js";
export {
  KPL_LIMITS,
  aggregate,
  deaggregate,
  readAggregate,
  type AggregateRead,
  type AggregatedEntry,
  type NotAggregateReason,
  type UserRecord,
} from "./kpl/kpl.js";
export {
  resolveAuth,
  profileCredentials,
  defaultCredentialsFile,
  DEFAULT_PROFILE,
  type AuthCredentials,
} from "./auth.js";

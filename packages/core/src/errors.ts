/**
 * Expected failures as values with their Kinesis names. Each kind carries the gRPC status code it maps
 * to (mirrored in `Code`, so core needs no gRPC import) and whether a client may retry it.
 */

/** gRPC status codes, mirrored so that pure code can name them. */
export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

interface ErrorKind {
  readonly code: Code;
  readonly retriable: boolean;
}

/** The table of error kinds: the Kinesis name, the status code it travels as, and retriability. */
export const ERROR_KINDS = {
  ResourceNotFoundException: { code: Code.NOT_FOUND, retriable: false },
  ResourceInUseException: { code: Code.FAILED_PRECONDITION, retriable: false },
  InvalidArgumentException: { code: Code.INVALID_ARGUMENT, retriable: false },
  ExpiredIteratorException: { code: Code.OUT_OF_RANGE, retriable: false },
  ProvisionedThroughputExceededException: { code: Code.RESOURCE_EXHAUSTED, retriable: true },
  LimitExceededException: { code: Code.RESOURCE_EXHAUSTED, retriable: true },
  /** The broker is not (or no longer) the leader of the shard; the client should re-route. */
  NotLeaderException: { code: Code.UNAVAILABLE, retriable: true },
  /** The broker is shutting down or a queue is full; retry shortly. */
  ServiceUnavailableException: { code: Code.UNAVAILABLE, retriable: true },
  /** A producer's batch from an epoch older than the producer id's latest: another producer took the id over. */
  ProducerFencedException: { code: Code.FAILED_PRECONDITION, retriable: false },
  /** A producer's batch number skips one: a batch before it was never appended; the producer must start over. */
  OutOfOrderSequenceException: { code: Code.FAILED_PRECONDITION, retriable: false },
  /**
   * The shard was closed by a reshard (Eddy's, for shard-addressed writes): nothing more is appended to it;
   * its hash keys belong to its children. Retriable once the writer has the new shard map.
   */
  ShardClosedException: { code: Code.UNAVAILABLE, retriable: true },
  /** A consumer-application worker no longer holds a shard's lease at the epoch it names: another took it over. */
  LeaseLostException: { code: Code.FAILED_PRECONDITION, retriable: false },
  /** Stored data failed its checksum; never returned as data. */
  CorruptDataException: { code: Code.DATA_LOSS, retriable: false },
  InternalFailure: { code: Code.INTERNAL, retriable: true },
  /** No credentials, an unknown access key id, or a wrong secret. */
  UnrecognizedClientException: { code: Code.UNAUTHENTICATED, retriable: false },
  /** The Kinesis endpoint's answer to a request without an Authorization header (as Kinesis answers it). */
  MissingAuthenticationTokenException: { code: Code.UNAUTHENTICATED, retriable: false },
  /** A SigV4 Authorization header that lacks a part (Credential, SignedHeaders, Signature) or X-Amz-Date. */
  IncompleteSignatureException: { code: Code.UNAUTHENTICATED, retriable: false },
  /** A SigV4 signature that does not match, or whose date is outside the allowed clock skew. */
  InvalidSignatureException: { code: Code.UNAUTHENTICATED, retriable: false },
  /** An authenticated principal without the action on the stream. */
  AccessDeniedException: { code: Code.PERMISSION_DENIED, retriable: false },
} as const satisfies Record<string, ErrorKind>;

export type ErrorName = keyof typeof ERROR_KINDS;

export function isErrorName(name: string): name is ErrorName {
  return Object.hasOwn(ERROR_KINDS, name);
}

/** An expected failure. `name` is the Kinesis error name; `message` names the field and the limit. */
export class KinesisError extends Error {
  override readonly name: ErrorName;
  readonly code: Code;
  readonly retriable: boolean;

  constructor(name: ErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
    this.code = ERROR_KINDS[name].code;
    this.retriable = ERROR_KINDS[name].retriable;
  }
}

export const resourceNotFound = (message: string) => new KinesisError("ResourceNotFoundException", message);
export const resourceInUse = (message: string) => new KinesisError("ResourceInUseException", message);
export const invalidArgument = (message: string) => new KinesisError("InvalidArgumentException", message);
export const expiredIterator = (message: string) => new KinesisError("ExpiredIteratorException", message);
export const throughputExceeded = (message: string) =>
  new KinesisError("ProvisionedThroughputExceededException", message);
export const limitExceeded = (message: string) => new KinesisError("LimitExceededException", message);
export const serviceUnavailable = (message: string) => new KinesisError("ServiceUnavailableException", message);
export const unrecognizedClient = (message: string) => new KinesisError("UnrecognizedClientException", message);
export const accessDenied = (message: string) => new KinesisError("AccessDeniedException", message);
export const invalidSignature = (message: string) => new KinesisError("InvalidSignatureException", message);
export const corruptData = (message: string) => new KinesisError("CorruptDataException", message);

/** A broken invariant: a bug, never an expected outcome. Stops the process rather than being caught. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export class AssertionError extends Error {
  override readonly name = "AssertionError";
}

/**
 * Errors as Kinesis sends them over its AWS protocol: an HTTP status, `__type` (the error name) and
 * `message`. Eddy's internal, retriable conditions (a leader change, a shard being resharded, a full
 * queue) are InternalFailure with status 500, which the AWS SDKs retry.
 */
import { KinesisError } from "@eddy/core";
import { SerializationError } from "./codec.js";

export interface ErrorReply {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/** The errors Kinesis itself returns with a 400; others of Eddy's are mapped below. */
const KINESIS_CLIENT_ERRORS: ReadonlySet<string> = new Set([
  "ResourceNotFoundException",
  "ResourceInUseException",
  "InvalidArgumentException",
  "ExpiredIteratorException",
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  "AccessDeniedException",
  "ValidationException",
  "UnknownOperationException",
  "SerializationException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
]);

export class UnknownOperationError extends Error {
  override readonly name = "UnknownOperationException";
}

export function errorReply(error: unknown): ErrorReply {
  if (error instanceof SerializationError)
    return { status: 400, type: "SerializationException", message: error.message };
  if (error instanceof UnknownOperationError) return { status: 400, type: error.name, message: error.message };
  if (error instanceof KinesisError) {
    // A member outside its constraints is Kinesis's ValidationException (the front door's check), not the
    // InvalidArgumentException of a request that is well formed but cannot be done.
    if (error.name === "InvalidArgumentException" && error.message.startsWith("1 validation error detected")) {
      return { status: 400, type: "ValidationException", message: kinesisWording(error.message) };
    }
    if (KINESIS_CLIENT_ERRORS.has(error.name)) {
      return { status: 400, type: error.name, message: kinesisWording(error.message) };
    }
    return { status: 500, type: "InternalFailure", message: `${error.name}: ${error.message}` };
  }
  return { status: 500, type: "InternalFailure", message: "Internal service failure." };
}

/**
 * Kinesis names members in validation messages by their JSON path in lower camel case, with `member`
 * after a list index: Eddy's "Value at 'Records.3.PartitionKey'" is Kinesis's
 * "Value at 'records.3.member.partitionKey'".
 */
export function kinesisWording(message: string): string {
  return message.replace(/ at '([A-Za-z0-9.]+)' failed to satisfy constraint/g, (_match, path: string) => {
    const segments = path
      .split(".")
      .flatMap((segment) =>
        /^[0-9]+$/.test(segment) ? [segment, "member"] : [segment.charAt(0).toLowerCase() + segment.slice(1)],
      );
    return ` at '${segments.join(".")}' failed to satisfy constraint`;
  });
}

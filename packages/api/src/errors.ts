/**
 * Kinesis errors on the wire. A `KinesisError` travels as a gRPC status: its code is the kind's code
 * from core's `ERROR_KINDS`, its details read "Name: message", and the trailing metadata key
 * `eddy-error` holds the name on its own. The receiving side rebuilds the same `KinesisError` from the
 * metadata, or from the details' prefix when a proxy dropped the trailers.
 */
import * as grpc from "@grpc/grpc-js";
import { KinesisError, isErrorName, type ErrorName } from "@eddy/core";

/** The trailing-metadata key that carries the Kinesis error name. */
export const ERROR_METADATA_KEY = "eddy-error";

/** "ResourceNotFoundException: stream x not found" -> name and message. */
const DETAILS_PATTERN = /^([A-Za-z]+): ([\s\S]*)$/;

/** The status a server handler passes to its callback (or emits on a stream) for a failure. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  const { name, message, code } =
    err instanceof KinesisError
      ? { name: err.name, message: err.message, code: err.code as number }
      : { name: "InternalFailure" satisfies ErrorName, message: describeUnknown(err), code: grpc.status.INTERNAL };
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_METADATA_KEY, name);
  return { code, details: `${name}: ${message}`, metadata };
}

/** The `KinesisError` a failed call stands for. Keeps the gRPC error as `cause`. */
export function fromServiceError(err: grpc.ServiceError): KinesisError {
  const details = err.details ?? "";
  const parsed = DETAILS_PATTERN.exec(details);
  const prefixName = parsed?.[1];
  const metadataName = err.metadata?.get(ERROR_METADATA_KEY)[0];
  const name =
    typeof metadataName === "string" && isErrorName(metadataName)
      ? metadataName
      : prefixName !== undefined && isErrorName(prefixName)
        ? prefixName
        : undefined;
  if (name !== undefined) {
    // Strip the prefix only when it names this very error; otherwise the details are all message.
    const message = prefixName === name && parsed?.[2] !== undefined ? parsed[2] : details;
    return new KinesisError(name, message, { cause: err });
  }
  const statusName = grpc.status[err.code] ?? `status ${err.code}`;
  if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) {
    // No Kinesis name: the failure is the connection's or the deadline's, not the broker's answer.
    return new KinesisError("ServiceUnavailableException", `${statusName}: ${details}`, { cause: err });
  }
  return new KinesisError("InternalFailure", `${statusName}: ${details}`, { cause: err });
}

/** Whether `err` has the shape of a grpc-js call error (a status object that is also an Error). */
export function isServiceError(err: unknown): err is grpc.ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<grpc.ServiceError>).code === "number" &&
    (err as Partial<grpc.ServiceError>).metadata instanceof grpc.Metadata
  );
}

function describeUnknown(err: unknown): string {
  if (err instanceof Error) return err.message === "" ? err.name : `${err.name}: ${err.message}`;
  return String(err);
}

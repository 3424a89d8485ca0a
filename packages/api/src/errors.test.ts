import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ERROR_KINDS, KinesisError, type ErrorName } from "@eddy/core";
import { ERROR_METADATA_KEY, fromServiceError, isServiceError, toServiceError } from "./errors.js";

/** What grpc-js hands a client for a failed call, built from the status the server sent. */
function receivedServiceError(status: Partial<grpc.StatusObject>): grpc.ServiceError {
  const code = status.code ?? grpc.status.UNKNOWN;
  const details = status.details ?? "";
  const message = `${code} ${grpc.status[code]}: ${details}`;
  return Object.assign(new Error(message), { code, details, metadata: status.metadata ?? new grpc.Metadata() });
}

const names = Object.keys(ERROR_KINDS) as ErrorName[];

describe("error mapping", () => {
  it.each(names)("%s survives toServiceError -> ServiceError -> fromServiceError", (name) => {
    const sent = new KinesisError(name, `stream "orders": field limit is 500 (got 501)`);
    const status = toServiceError(sent);
    expect(status.code).toBe(ERROR_KINDS[name].code);
    expect(status.details).toBe(`${name}: ${sent.message}`);
    expect(status.metadata?.get(ERROR_METADATA_KEY)).toEqual([name]);

    const wire = receivedServiceError(status);
    const received = fromServiceError(wire);
    expect(received).toBeInstanceOf(KinesisError);
    expect(received.name).toBe(name);
    expect(received.message).toBe(sent.message);
    expect(received.code).toBe(sent.code);
    expect(received.retriable).toBe(sent.retriable);
    expect(received.cause).toBe(wire);
  });

  it("reads the name from the details when the trailers are missing", () => {
    const wire = receivedServiceError({
      code: grpc.status.NOT_FOUND,
      details: "ResourceNotFoundException: stream orders: not found",
    });
    const received = fromServiceError(wire);
    expect(received.name).toBe("ResourceNotFoundException");
    expect(received.message).toBe("stream orders: not found");
  });

  it("turns anything that is not a KinesisError into InternalFailure, message included", () => {
    const status = toServiceError(new TypeError("cannot read x"));
    expect(status.code).toBe(grpc.status.INTERNAL);
    expect(status.details).toBe("InternalFailure: TypeError: cannot read x");
    const received = fromServiceError(receivedServiceError(status));
    expect(received.name).toBe("InternalFailure");
    expect(received.message).toBe("TypeError: cannot read x");
    expect(toServiceError("plain string").details).toBe("InternalFailure: plain string");
  });

  it.each([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED])(
    "maps a bare status %i (no eddy-error) to a retriable ServiceUnavailableException",
    (code) => {
      const wire = receivedServiceError({ code, details: "No connection established" });
      const received = fromServiceError(wire);
      expect(received.name).toBe("ServiceUnavailableException");
      expect(received.retriable).toBe(true);
      expect(received.message).toContain("No connection established");
      expect(received.cause).toBe(wire);
    },
  );

  it("maps other bare statuses, and unknown names, to InternalFailure", () => {
    const bare = fromServiceError(receivedServiceError({ code: grpc.status.RESOURCE_EXHAUSTED, details: "too big" }));
    expect(bare.name).toBe("InternalFailure");
    expect(bare.message).toBe("RESOURCE_EXHAUSTED: too big");

    const metadata = new grpc.Metadata();
    metadata.set(ERROR_METADATA_KEY, "NoSuchException");
    const unknown = fromServiceError(
      receivedServiceError({ code: grpc.status.NOT_FOUND, details: "NoSuchException: what", metadata }),
    );
    expect(unknown.name).toBe("InternalFailure");
    expect(unknown.message).toBe("NOT_FOUND: NoSuchException: what");
  });

  it("recognises grpc-js call errors", () => {
    expect(isServiceError(receivedServiceError({ code: grpc.status.INTERNAL, details: "x" }))).toBe(true);
    expect(isServiceError(new Error("x"))).toBe(false);
    expect(isServiceError(new KinesisError("InternalFailure", "x"))).toBe(false);
  });
});

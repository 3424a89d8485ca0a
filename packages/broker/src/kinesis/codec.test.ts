import cbor from "cbor";
import { describe, expect, it } from "vitest";
import { constraintViolation, KinesisError, resourceNotFound } from "@eddy/core";
import { blobOf, decodeBody, encodeBody, formatOf, SerializationError, timeOf } from "./codec.js";
import { errorReply, kinesisWording, UnknownOperationError } from "./errors.js";

describe("Kinesis body codec", () => {
  it("picks the format from the content type", () => {
    expect(formatOf("application/x-amz-json-1.1")).toBe("json");
    expect(formatOf("application/x-amz-cbor-1.1")).toBe("cbor");
    expect(formatOf(undefined)).toBe("json");
    expect(formatOf("text/plain")).toBeUndefined();
  });

  it("JSON: blobs in base64, timestamps in epoch seconds", () => {
    const out = JSON.parse(
      encodeBody("json", { Data: Buffer.from([0, 255]), At: new Date(1_500), N: 3, Skip: undefined }).toString(),
    );
    expect(out).toEqual({ Data: "AP8=", At: 1.5, N: 3 });
    const input = decodeBody("json", Buffer.from(JSON.stringify({ Data: "AP8=", Timestamp: 1.5 })));
    expect(blobOf(input["Data"], "Data")).toEqual(Buffer.from([0, 255]));
    expect(timeOf(input["Timestamp"], "Timestamp").getTime()).toBe(1_500);
  });

  it("CBOR: blobs as byte strings, timestamps as tag 1 with integer milliseconds, both ways", () => {
    const bytes = encodeBody("cbor", { Data: Buffer.from([1, 2]), At: new Date(1_700_000_000_123) });
    const wire = cbor.decodeFirstSync(bytes, { tags: { 1: (v: unknown) => ({ tag1: v }) } }) as Record<string, unknown>;
    expect(wire).toEqual({ Data: Buffer.from([1, 2]), At: { tag1: 1_700_000_000_123 } });
    const input = decodeBody(
      "cbor",
      cbor.encodeOne({ Data: Buffer.from([7]), Timestamp: new cbor.Tagged(1, 1_700_000_000_123) }),
    );
    expect(blobOf(input["Data"], "Data")).toEqual(Buffer.from([7]));
    expect(timeOf(input["Timestamp"], "Timestamp").getTime()).toBe(1_700_000_000_123);
  });

  it("a body that does not parse, or a blob that is not base64, is a SerializationException", () => {
    expect(() => decodeBody("json", Buffer.from("{oops"))).toThrow(SerializationError);
    expect(() => decodeBody("json", Buffer.from("[1]"))).toThrow(/must be an object/);
    expect(() => decodeBody("cbor", Buffer.from([0xff, 0x00]))).toThrow(SerializationError);
    expect(() => blobOf("not base64!", "Data")).toThrow(/Data must be base64/);
    expect(() => timeOf("yesterday", "Timestamp")).toThrow(/Timestamp/);
  });
});

describe("Kinesis errors", () => {
  it("maps errors to status, __type and message as Kinesis sends them", () => {
    expect(errorReply(resourceNotFound("Stream x not found."))).toEqual({
      status: 400,
      type: "ResourceNotFoundException",
      message: "Stream x not found.",
    });
    expect(errorReply(constraintViolation("Records.3.PartitionKey", "have length greater than or equal to 1"))).toEqual(
      {
        status: 400,
        type: "ValidationException",
        message:
          "1 validation error detected: Value at 'records.3.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
      },
    );
    expect(errorReply(new UnknownOperationError("no"))).toMatchObject({
      status: 400,
      type: "UnknownOperationException",
    });
    expect(errorReply(new SerializationError("bad"))).toMatchObject({ status: 400, type: "SerializationException" });
    // Eddy's internal, retriable conditions are a 500 the AWS SDKs retry.
    expect(errorReply(new KinesisError("NotLeaderException", "moved"))).toMatchObject({
      status: 500,
      type: "InternalFailure",
    });
    expect(errorReply(new Error("boom"))).toEqual({
      status: 500,
      type: "InternalFailure",
      message: "Internal service failure.",
    });
    expect(kinesisWording("Value 'a b' at 'StreamName' failed to satisfy constraint: x")).toBe(
      "Value 'a b' at 'streamName' failed to satisfy constraint: x",
    );
  });
});

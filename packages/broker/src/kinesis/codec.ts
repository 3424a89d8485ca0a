/**
 * The two body formats of Kinesis's AWS protocol, both carrying the same shapes:
 * - JSON 1.1 (`application/x-amz-json-1.1`): blobs are base64 strings, timestamps epoch seconds (numbers).
 * - CBOR 1.1 (`application/x-amz-cbor-1.1`, what the Java SDKs and so the KCL send by default): blobs are
 *   byte strings, timestamps tag 1 holding integer epoch milliseconds.
 * Handlers see one in-memory form: blobs as Buffer, timestamps as Date. Inputs are read through
 * `blobOf`/`timeOf`, which accept either encoding; outputs are encoded here.
 */
import cbor from "cbor";
import { constraintViolation } from "@eddy/core";

export type BodyFormat = "json" | "cbor";

export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";
export const CBOR_CONTENT_TYPE = "application/x-amz-cbor-1.1";

/** The body format a Content-Type names; JSON 1.0/1.1 and a missing type are JSON, as Kinesis takes them. */
export function formatOf(contentType: string | undefined): BodyFormat | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === CBOR_CONTENT_TYPE) return "cbor";
  if (
    type === "" ||
    type === JSON_CONTENT_TYPE ||
    type === "application/x-amz-json-1.0" ||
    type === "application/json"
  ) {
    return "json";
  }
  return undefined;
}

export function contentTypeOf(format: BodyFormat): string {
  return format === "cbor" ? CBOR_CONTENT_TYPE : JSON_CONTENT_TYPE;
}

/** A request body that does not parse: Kinesis answers SerializationException. */
export class SerializationError extends Error {
  override readonly name = "SerializationException";
}

export function decodeBody(format: BodyFormat, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value =
      format === "json"
        ? JSON.parse(body.toString("utf8"))
        : cbor.decodeFirstSync(body, { tags: { 1: (ms: unknown) => (typeof ms === "number" ? new Date(ms) : ms) } });
  } catch (error) {
    throw new SerializationError(`The request body is not valid ${format.toUpperCase()}: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SerializationError("The request body must be an object.");
  }
  return value as Record<string, unknown>;
}

export function encodeBody(format: BodyFormat, value: unknown): Buffer {
  if (format === "json") return Buffer.from(JSON.stringify(toJsonValue(value)), "utf8");
  return cbor.encodeOne(toCborValue(value));
}

/** Buffers to base64 and Dates to epoch seconds, recursively (JSON.stringify would see Buffer.toJSON). */
function toJsonValue(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

/** Dates as tag 1 with integer epoch milliseconds; Buffers stay byte strings. */
function toCborValue(value: unknown): unknown {
  if (value instanceof Date) return new cbor.Tagged(1, value.getTime());
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(toCborValue);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toCborValue(v);
    return out;
  }
  return value;
}

// ---- reading inputs ----

/** A blob input: base64 (JSON) or a byte string (CBOR). */
export function blobOf(value: unknown, field: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === "string") {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
      throw new SerializationError(`${field} must be base64.`);
    }
    return Buffer.from(value, "base64");
  }
  throw new SerializationError(`${field} must be a blob (base64 in JSON, a byte string in CBOR).`);
}

/** A timestamp input: epoch seconds (JSON, may be fractional), a Date (CBOR tag 1), or ISO text. */
export function timeOf(value: unknown, field: string): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return new Date(value);
  throw new SerializationError(`${field} must be a timestamp (epoch seconds).`);
}

export function stringOf(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new SerializationError(`${field} must be a string.`);
  return value;
}

export function intOf(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new SerializationError(`${field} must be an integer.`);
  }
  return value;
}

export function boolOf(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new SerializationError(`${field} must be a boolean.`);
  return value;
}

export function listOf(value: unknown, field: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new SerializationError(`${field} must be a list.`);
  return value;
}

export function objectOf(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw new SerializationError(`${field} must be a structure.`);
  return value as Record<string, unknown>;
}

/** A required string member: missing is Kinesis's validation error naming it. */
export function requiredString(value: unknown, field: string): string {
  const text = stringOf(value, field);
  if (text === undefined) throw constraintViolation(field, "not be null");
  return text;
}

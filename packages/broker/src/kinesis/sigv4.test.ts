/**
 * The SigV4 verifier against an independent signer (@smithy/signature-v4, what the AWS SDK for JS uses):
 * what it signs is accepted; any change to what was signed, a wrong secret, a date outside the skew, or
 * a scope for another region or service is refused with the error Kinesis answers.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { KinesisError } from "@eddy/core";
import { sha256Hex, verifySigV4, type SignedRequest } from "./sigv4.js";

/** SHA-256 for the signer, as the AWS SDK for JS takes it in Node (HMAC when given a key). */
const Sha256 = Hash.bind(null, "sha256");

const AKID = "EDDYAAAAAAAAAAAAAAAA";
const SECRET = "s3cr3t-s3cr3t-s3cr3t";
const NOW_MS = Date.UTC(2026, 10, 26, 9, 30, 0);
const BODY = JSON.stringify({ StreamName: "orders", Data: "aGVsbG8=", PartitionKey: "k" });

async function signed(
  options: {
    secret?: string;
    region?: string;
    service?: string;
    signingDateMs?: number;
    body?: string;
    /** As over HTTP/2: no Host header (the host travels as :authority). */
    http2?: boolean;
    /** Headers sent but left out of the signature. */
    unsigned?: readonly string[];
  } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: AKID, secretAccessKey: options.secret ?? SECRET },
    region: options.region ?? "us-east-1",
    service: options.service ?? "kinesis",
    sha256: Sha256,
  });
  const body = options.body ?? BODY;
  const request = {
    method: "POST",
    protocol: "http:",
    hostname: "127.0.0.1",
    port: 4567,
    path: "/",
    headers: {
      ...(options.http2 ? {} : { host: "127.0.0.1:4567" }),
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "Kinesis_20131202.PutRecord",
    },
    query: {},
    body,
  };
  const out = await signer.sign(request, {
    signingDate: new Date(options.signingDateMs ?? NOW_MS),
    ...(options.unsigned ? { unsignableHeaders: new Set(options.unsigned) } : {}),
  });
  const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: out.method, path: out.path, query: "", headers, bodySha256Hex: sha256Hex(body) };
}

const context = {
  nowMs: NOW_MS,
  region: "us-east-1",
  service: "kinesis",
  secretOf: (id: string) => (id === AKID ? SECRET : new KinesisError("UnrecognizedClientException", "unknown")),
};

function refusal(request: SignedRequest, ctx = context): KinesisError {
  const result = verifySigV4(request, ctx);
  expect(result).toBeInstanceOf(KinesisError);
  return result as KinesisError;
}

function withSignature(request: SignedRequest, edit: (signature: string) => string): SignedRequest {
  const auth = request.headers["authorization"] as string;
  const signature = /Signature=([0-9a-f]+)/.exec(auth)![1]!;
  return { ...request, headers: { ...request.headers, authorization: auth.replace(signature, edit(signature)) } };
}

describe("SigV4 verification against @smithy/signature-v4", () => {
  it("accepts a request signed with the key's secret", async () => {
    expect(verifySigV4(await signed(), context)).toEqual({ accessKeyId: AKID });
  });

  it("accepts a signature made up to 5 minutes either side of the broker's clock", async () => {
    expect(verifySigV4(await signed({ signingDateMs: NOW_MS - 4 * 60_000 }), context)).toEqual({ accessKeyId: AKID });
    expect(verifySigV4(await signed({ signingDateMs: NOW_MS + 4 * 60_000 }), context)).toEqual({ accessKeyId: AKID });
  });

  it("refuses a tampered signature with InvalidSignatureException", async () => {
    const request = withSignature(await signed(), (s) => (s[0] === "0" ? "1" : "0") + s.slice(1));
    const error = refusal(request);
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.message).toMatch(/^The request signature we calculated does not match/);
  });

  it("refuses a tampered body", async () => {
    const request = await signed();
    const error = refusal({ ...request, bodySha256Hex: sha256Hex(BODY.replace("orders", "billing")) });
    expect(error.name).toBe("InvalidSignatureException");
  });

  it("refuses a tampered signed header", async () => {
    const request = await signed();
    const headers = { ...request.headers, "x-amz-target": "Kinesis_20131202.DeleteStream" };
    expect(refusal({ ...request, headers }).name).toBe("InvalidSignatureException");
  });

  it("refuses a signature that leaves X-Amz-Target out, so it cannot be replayed as another operation", async () => {
    const request = await signed({ unsigned: ["x-amz-target"] });
    expect(request.headers["authorization"]).not.toMatch(/x-amz-target/);
    const error = refusal(request);
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.message).toMatch(/not signed: x-amz-target/);
    // The same request with X-Amz-Target signed passes: the refusal is about the unsigned header.
    expect(verifySigV4(await signed(), context)).toEqual({ accessKeyId: AKID });
  });

  it("refuses a signature made with a wrong secret", async () => {
    expect(refusal(await signed({ secret: "not-the-secret" })).name).toBe("InvalidSignatureException");
  });

  it("refuses an expired date, naming both times", async () => {
    const error = refusal(await signed({ signingDateMs: NOW_MS - 6 * 60_000 }));
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.message).toBe(
      "Signature expired: 20261126T092400Z is now earlier than 20261126T092500Z (20261126T093000Z - 5 min.)",
    );
  });

  it("refuses a date too far in the future", async () => {
    const error = refusal(await signed({ signingDateMs: NOW_MS + 6 * 60_000 }));
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.message).toMatch(/^Signature not yet current: 20261126T093600Z is still later than/);
  });

  it("refuses a scope for another region or service", async () => {
    expect(refusal(await signed({ region: "eu-west-1" })).message).toMatch(/valid region, not 'eu-west-1'/);
    expect(refusal(await signed({ service: "dynamodb" })).message).toMatch(/correct service: 'kinesis'/);
  });

  it("answers an unknown access key id with the lookup's error", async () => {
    const error = refusal(await signed(), {
      ...context,
      secretOf: () => new KinesisError("UnrecognizedClientException", "x"),
    });
    expect(error.name).toBe("UnrecognizedClientException");
  });

  it("answers a request without Authorization with MissingAuthenticationTokenException", async () => {
    const request = await signed();
    const { authorization: _dropped, ...headers } = request.headers;
    expect(refusal({ ...request, headers }).name).toBe("MissingAuthenticationTokenException");
  });

  it("answers a malformed Authorization or a missing X-Amz-Date with IncompleteSignatureException", async () => {
    const request = await signed();
    const noCredential = { ...request.headers, authorization: "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00" };
    expect(refusal({ ...request, headers: noCredential }).name).toBe("IncompleteSignatureException");
    const { "x-amz-date": _date, ...noDate } = request.headers;
    expect(refusal({ ...request, headers: noDate }).name).toBe("IncompleteSignatureException");
  });

  it("over HTTP/1.1 the host must be signed; over HTTP/2 (no Host header) it need not be", async () => {
    const request = await signed();
    const auth = (request.headers["authorization"] as string).replace(
      /SignedHeaders=([^,]+)/,
      (_m, list: string) =>
        `SignedHeaders=${list
          .split(";")
          .filter((h) => h !== "host")
          .join(";")}`,
    );
    const unsignedHost = { ...request, headers: { ...request.headers, authorization: auth } };
    expect(refusal(unsignedHost).message).toMatch(/'Host' must be a 'SignedHeader'/);
    const http2 = await signed({ http2: true });
    expect(http2.headers["authorization"]).not.toMatch(/host/);
    expect(verifySigV4({ ...http2, headers: { ...http2.headers, ":authority": "127.0.0.1:4567" } }, context)).toEqual({
      accessKeyId: AKID,
    });
  });

  it("takes the host from :authority over HTTP/2", async () => {
    const request = await signed();
    const { host, ...headers } = request.headers;
    expect(verifySigV4({ ...request, headers: { ...headers, ":authority": host } }, context)).toEqual({
      accessKeyId: AKID,
    });
  });
});

/**
 * AWS Signature Version 4 verification for the Kinesis endpoint, so that AWS SDK users authenticate the
 * way they already do. A pure function: the request's parts, the time and a secret lookup go in; the
 * signing access key id, or the KinesisError Kinesis would answer, comes out.
 *
 * The signature the client sent is checked against one computed here from the same parts:
 *
 *   canonical request = METHOD \n canonical path \n canonical query \n canonical headers \n
 *                       signed header names \n hex(sha256(body))
 *   string to sign    = "AWS4-HMAC-SHA256" \n X-Amz-Date \n DATE/REGION/SERVICE/aws4_request \n
 *                       hex(sha256(canonical request))
 *   signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, DATE), REGION), SERVICE), "aws4_request")
 *   signature         = hex(HMAC(signing key, string to sign))
 *
 * Only the Authorization header form is taken; a presigned URL (signature in the query) is refused as
 * missing authentication, since no Kinesis client sends one for these POST requests.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { KinesisError, invalidSignature, unrecognizedClient } from "@eddy/core";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
/** How far a request's X-Amz-Date may be from the broker's clock, either way (AWS's limit). */
export const SIGV4_CLOCK_SKEW_MAX_MS = 5 * 60_000;
export const KINESIS_SIGNING_SERVICE = "kinesis";

export const SIGNATURE_MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret " +
  "Access Key and signing method. Consult the service documentation for details.";
export const INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid.";

export interface SignedRequest {
  readonly method: string;
  /** The path as it came on the wire (percent-encoded), without the query. */
  readonly path: string;
  /** The raw query string, without "?" ("" when none). */
  readonly query: string;
  /** Header names in lower case, as node gives them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly bodySha256Hex: string;
}

export interface SigV4Context {
  readonly nowMs: number;
  /** The region the broker answers for (BrokerConfig.region). */
  readonly region: string;
  readonly service: string;
  /** The secret of an access key id, or the KinesisError to answer (unknown key: UnrecognizedClientException). */
  readonly secretOf: (accessKeyId: string) => string | KinesisError;
  readonly clockSkewMaxMs?: number;
}

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminal: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Verifies a request's SigV4 signature: the access key id that signed it, or the error to answer. */
export function verifySigV4(request: SignedRequest, context: SigV4Context): { accessKeyId: string } | KinesisError {
  const authorization = headerValue(request.headers, "authorization");
  // Kinesis answers a request without any signature with MissingAuthenticationTokenException.
  if (authorization === undefined || authorization === "") {
    return new KinesisError("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  const parsed = parseAuthorization(authorization);
  if (parsed instanceof KinesisError) return parsed;
  const amzDate = headerValue(request.headers, "x-amz-date");
  if (amzDate === undefined) {
    return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  const signedAtMs = parseAmzDate(amzDate);
  if (signedAtMs === undefined) return incomplete(`X-Amz-Date '${amzDate}' is not of the form YYYYMMDD'T'HHMMSS'Z'.`);
  // Over HTTP/1.1 the Host header must be signed, as AWS requires. Over HTTP/2 there is no Host header
  // (the host is the :authority pseudo-header), and the AWS SDK for JS v3 signs none there.
  if (!parsed.signedHeaders.includes("host") && headerValue(request.headers, "host") !== undefined) {
    return invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  // Every x-amz-* header that came must be signed: X-Amz-Target picks the operation, so a captured
  // request whose signature left it out could be replayed as another operation on the same body.
  const unsigned = amzHeadersOf(request.headers).filter((name) => !parsed.signedHeaders.includes(name));
  if (unsigned.length > 0) {
    return invalidSignature(
      `There were headers present in the request which were not signed: ${unsigned.join(", ")}. ` +
        "Every X-Amz-* header must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (parsed.date !== amzDate.slice(0, 8)) {
    return invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  if (parsed.region !== context.region) {
    return invalidSignature(
      `Credential should be scoped to a valid region, not '${parsed.region}'. Use '${context.region}'.`,
    );
  }
  if (parsed.service !== context.service) {
    return invalidSignature(`Credential should be scoped to correct service: '${context.service}'.`);
  }
  if (parsed.terminal !== "aws4_request") {
    return invalidSignature(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${parsed.terminal}'.`,
    );
  }
  const secret = context.secretOf(parsed.accessKeyId);
  if (secret instanceof KinesisError) return secret;
  const skewMaxMs = context.clockSkewMaxMs ?? SIGV4_CLOCK_SKEW_MAX_MS;
  if (signedAtMs < context.nowMs - skewMaxMs) {
    return invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${amzDateOf(context.nowMs - skewMaxMs)} (${amzDateOf(context.nowMs)} - ${skewMaxMs / 60_000} min.)`,
    );
  }
  if (signedAtMs > context.nowMs + skewMaxMs) {
    return invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${amzDateOf(context.nowMs + skewMaxMs)} (${amzDateOf(context.nowMs)} + ${skewMaxMs / 60_000} min.)`,
    );
  }
  const canonical = canonicalRequest(request, parsed.signedHeaders);
  if (canonical instanceof KinesisError) return canonical;
  const scope = `${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`;
  const stringToSign = [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join("\n");
  const expected = createHmac("sha256", signingKey(secret, parsed.date, parsed.region, parsed.service))
    .update(stringToSign)
    .digest();
  const sent = /^[0-9a-f]{64}$/.test(parsed.signature) ? Buffer.from(parsed.signature, "hex") : Buffer.alloc(0);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    return invalidSignature(SIGNATURE_MISMATCH_MESSAGE);
  }
  return { accessKeyId: parsed.accessKeyId };
}

/** "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex" */
/**
 * The access key id a request says it was signed with (undefined when its Authorization header does not
 * parse), so that the caller can look its secret up before `verifySigV4`, which reports any problem.
 */
export function signingAccessKeyIdOf(request: SignedRequest): string | undefined {
  const authorization = headerValue(request.headers, "authorization");
  const parsed = authorization === undefined ? undefined : parseAuthorization(authorization);
  return parsed === undefined || parsed instanceof KinesisError ? undefined : parsed.accessKeyId;
}

function parseAuthorization(value: string): ParsedAuthorization | KinesisError {
  const space = value.indexOf(" ");
  const algorithm = space === -1 ? value : value.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    return incomplete(`Authorization header uses the algorithm '${algorithm}'; only ${SIGV4_ALGORITHM} is taken.`);
  }
  const parts = new Map<string, string>();
  for (const part of value.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq !== -1) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ["Credential", "SignedHeaders", "Signature"]) {
    if (!parts.get(name))
      return incomplete(`Authorization header requires '${name}' parameter. Authorization=${value}`);
  }
  const credential = parts.get("Credential")!.split("/");
  if (credential.length !== 5 || credential.some((c) => c === "")) {
    return incomplete(
      `Credential '${parts.get("Credential")}' is not of the form ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request.`,
    );
  }
  const [accessKeyId, date, region, service, terminal] = credential as [string, string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    terminal,
    signedHeaders: parts.get("SignedHeaders")!.split(";"),
    signature: parts.get("Signature")!,
  };
}

function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string | KinesisError {
  const headerLines: string[] = [];
  for (const name of signedHeaders) {
    // HTTP/2 carries the host as the :authority pseudo-header.
    const value =
      headerValue(request.headers, name) ?? (name === "host" ? headerValue(request.headers, ":authority") : undefined);
    if (value === undefined) return invalidSignature(SIGNATURE_MISMATCH_MESSAGE);
    headerLines.push(`${name}:${value.trim().replace(/\s+/g, " ")}\n`);
  }
  return [
    request.method.toUpperCase(),
    canonicalPath(request.path),
    canonicalQuery(request.query),
    headerLines.join(""),
    signedHeaders.join(";"),
    request.bodySha256Hex,
  ].join("\n");
}

/** Each segment decoded and encoded again the RFC 3986 way; "." and ".." resolved; "/" when empty. */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const joined = `/${segments.map((s) => escapeUri(safeDecode(s))).join("/")}`;
  return path.endsWith("/") && joined !== "/" ? `${joined}/` : joined;
}

function canonicalQuery(query: string): string {
  if (query === "") return "";
  const pairs = query
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      const key = eq === -1 ? p : p.slice(0, eq);
      const value = eq === -1 ? "" : p.slice(eq + 1);
      return [escapeUri(safeDecode(key)), escapeUri(safeDecode(value))] as const;
    });
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, "%20"));
  } catch {
    return text;
  }
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac("sha256", `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac("sha256", kDate).update(region).digest();
  const kService = createHmac("sha256", kRegion).update(service).digest();
  return createHmac("sha256", kService).update("aws4_request").digest();
}

function headerValue(headers: SignedRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.map((v) => v.trim()).join(",");
}

/** "20261126T091500Z" -> epoch milliseconds, or undefined when malformed. */
function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(ms) ? ms : undefined;
}

export function amzDateOf(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function incomplete(message: string): KinesisError {
  return new KinesisError("IncompleteSignatureException", message);
}

/** The answer for an access key id nobody holds. */
export function unknownAccessKey(): KinesisError {
  return unrecognizedClient(INVALID_TOKEN_MESSAGE);
}

/** The names (lower case) of the request's x-amz-* headers. */
function amzHeadersOf(headers: SignedRequest["headers"]): string[] {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith("x-amz-"));
}

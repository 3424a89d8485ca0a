/**
 * The Kinesis-compatible HTTP endpoint's transport: one port that speaks HTTP/1.1 and HTTP/2. Cleartext
 * HTTP/2 is "prior knowledge" (the client starts with the HTTP/2 preface, as the AWS SDK for JS v3 and the
 * Java async SDK do on http://), so each new connection is looked at first: the preface goes to the
 * HTTP/2 server, anything else to the HTTP/1.1 one. With a certificate, TLS with ALPN picks the protocol.
 *
 * Requests are `POST /` with `X-Amz-Target: Kinesis_20131202.<Operation>` and a JSON or CBOR body; the
 * operation runs in `KinesisHandler` and the answer goes back in the request's format.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { Duplex, PassThrough } from "node:stream";
import type { Logger } from "pino";
import { contentTypeOf, decodeBody, encodeBody, formatOf, SerializationError, type BodyFormat } from "./codec.js";
import { readCertificate, watchCertificate } from "../tls.js";
import { errorReply, UnknownOperationError } from "./errors.js";
import { sha256Hex, type SignedRequest } from "./sigv4.js";

export const KINESIS_TARGET_PREFIX = "Kinesis_20131202.";
/** How long a new cleartext connection may stay silent before its first bytes pick the HTTP version. */
const FIRST_BYTES_TIMEOUT_MS = 10_000;
/** PutRecords takes 10 MiB of data; base64 in JSON makes that 13.4 MiB, plus keys and framing. */
export const KINESIS_REQUEST_BYTES_MAX = 16 * 1024 * 1024;
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
/**
 * Windows big enough for a whole PutRecords: with HTTP/2's default 64 KiB a 13 MB body waits for a
 * window update every 64 KiB.
 */
const HTTP2_OPTIONS: http2.ServerOptions = {
  settings: { initialWindowSize: 16 * 1024 * 1024 },
  maxSessionMemory: 64,
};

export type KinesisResponse = http.ServerResponse | http2.Http2ServerResponse;

/** What a streaming operation (SubscribeToShard) writes to. */
export interface StreamReply {
  readonly format: BodyFormat;
  /** Starts the response with these headers (status 200). */
  begin(headers: Record<string, string>): void;
  /** False when the peer's window is full: wait for `drained()`. */
  write(chunk: Uint8Array): boolean;
  drained(): Promise<void>;
  end(): void;
  /** Resolves when the client goes away. */
  readonly closed: Promise<void>;
}

export interface KinesisHandler<Caller = unknown> {
  /** Whether `operation` exists; an unknown one is UnknownOperationException. */
  has(operation: string): boolean;
  /**
   * Who signed the request (checked before its body is decoded), or the KinesisError to answer; undefined
   * when the endpoint runs without authentication.
   */
  authenticate(request: SignedRequest): Promise<Caller | undefined>;
  /** Runs a unary operation for the caller; the result is encoded in the request's format. */
  call(operation: string, input: Record<string, unknown>, caller: Caller | undefined): Promise<Record<string, unknown>>;
  /** Streaming operations answer through `reply` themselves. */
  isStreaming(operation: string): boolean;
  stream(
    operation: string,
    input: Record<string, unknown>,
    reply: StreamReply,
    caller: Caller | undefined,
  ): Promise<void>;
}

export interface KinesisServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly requestBytesMax?: number;
}

export class KinesisHttpServer {
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly listener: net.Server,
    readonly port: number,
    readonly tls: boolean,
    private readonly sessions: ReadonlySet<http2.ServerHttp2Session>,
    private readonly unwatch: () => void,
  ) {}

  static async start(
    options: KinesisServerOptions,
    handler: KinesisHandler,
    logger: Logger,
  ): Promise<KinesisHttpServer> {
    const bytesMax = options.requestBytesMax ?? KINESIS_REQUEST_BYTES_MAX;
    const onRequest = (req: http.IncomingMessage | http2.Http2ServerRequest, res: KinesisResponse): void => {
      void serve(req, res, handler, bytesMax, logger);
    };
    let listener: net.Server;
    let unwatch: () => void = () => {};
    const sessions = new Set<http2.ServerHttp2Session>();
    if (options.tls) {
      const secure = http2.createSecureServer(
        {
          ...readCertificate(options.tls),
          allowHTTP1: true,
          ...HTTP2_OPTIONS,
        },
        onRequest,
      );
      secure.on("connection", (socket: net.Socket) => socket.setNoDelay(true));
      unwatch = watchCertificate(
        options.tls,
        (context) => secure.setSecureContext(context),
        logger,
        "Kinesis endpoint",
      );
      secure.on("session", (s) => {
        sessions.add(s);
        s.once("close", () => sessions.delete(s));
      });
      listener = secure;
    } else {
      const h1 = http.createServer({ maxHeaderSize: 64 * 1024 }, onRequest);
      const h2 = http2.createServer(HTTP2_OPTIONS, onRequest);
      h2.on("session", (s) => {
        sessions.add(s);
        s.once("close", () => sessions.delete(s));
      });
      // Small frames (HTTP/2's window updates and acknowledgements) must not wait for Nagle's algorithm:
      // with it on, a 10,000-record GetRecords over HTTP/2 took 16 s instead of 0.2 s.
      listener = net.createServer({ noDelay: true }, (socket) => {
        // A connection that says nothing is not kept forever; once a server has it, its own timeouts apply.
        socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, () => socket.destroy());
        socket.once("data", (first: Buffer) => {
          socket.setTimeout(0);
          const prefix = first.subarray(0, Math.min(first.length, HTTP2_PREFACE.length));
          if (!HTTP2_PREFACE.subarray(0, prefix.length).equals(prefix)) {
            // HTTP/1.1 reads through JS: the bytes already read go back in front.
            socket.pause();
            socket.unshift(first);
            h1.emit("connection", socket);
            socket.resume();
            return;
          }
          // nghttp2 reads a native socket's handle directly, past anything unshifted: it gets a stream that
          // starts with the bytes already read, then the socket's.
          const readable = new PassThrough();
          readable.write(first);
          socket.pipe(readable);
          const duplex = Duplex.from({ readable, writable: socket });
          socket.once("error", (error) => duplex.destroy(error));
          socket.once("close", () => duplex.destroy());
          h2.emit("connection", duplex);
        });
      });
    }
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(options.port, options.host, () => {
        listener.off("error", reject);
        resolve();
      });
    });
    const port = (listener.address() as net.AddressInfo).port;
    const server = new KinesisHttpServer(listener, port, options.tls !== undefined, sessions, unwatch);
    listener.on("connection", (socket: net.Socket) => {
      server.sockets.add(socket);
      socket.once("close", () => server.sockets.delete(socket));
    });
    return server;
  }

  async close(): Promise<void> {
    this.unwatch();
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    for (const session of this.sessions) session.close();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

async function serve(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: KinesisResponse,
  handler: KinesisHandler,
  bytesMax: number,
  logger: Logger,
): Promise<void> {
  const requestId = randomUUID();
  const format = formatOf(header(req, "content-type")) ?? "json";
  const reply = (status: number, body: unknown): void => {
    const bytes = encodeBody(format, body);
    res.writeHead(status, {
      "content-type": contentTypeOf(format),
      "content-length": String(bytes.length),
      "x-amzn-requestid": requestId,
    });
    res.end(bytes);
  };
  const fail = (error: unknown): void => {
    const { status, type, message } = errorReply(error);
    if (status >= 500) logger.warn({ err: error, requestId }, "Kinesis endpoint: call failed");
    if (res.headersSent) {
      res.end();
      return;
    }
    reply(status, { __type: type, message });
  };
  try {
    if (req.method !== "POST") {
      throw new UnknownOperationError(`Kinesis takes POST requests, not ${req.method ?? "?"}.`);
    }
    if (formatOf(header(req, "content-type")) === undefined) {
      throw new SerializationError(`Unsupported Content-Type ${header(req, "content-type")}.`);
    }
    const target = header(req, "x-amz-target") ?? "";
    const operation = target.startsWith(KINESIS_TARGET_PREFIX) ? target.slice(KINESIS_TARGET_PREFIX.length) : "";
    if (!handler.has(operation)) throw new UnknownOperationError(`Operation ${target || "(none)"} is not known.`);
    const body = await readBody(req, bytesMax);
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    const caller = await handler.authenticate({
      method: req.method,
      path: queryAt === -1 ? url : url.slice(0, queryAt),
      query: queryAt === -1 ? "" : url.slice(queryAt + 1),
      headers: req.headers,
      bodySha256Hex: sha256Hex(body),
    });
    const input = decodeBody(format, body);
    if (handler.isStreaming(operation)) {
      await handler.stream(operation, input, streamReply(req, res, format, requestId), caller);
      return;
    }
    reply(200, await handler.call(operation, input, caller));
  } catch (error) {
    fail(error);
  }
}

function streamReply(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: KinesisResponse,
  format: BodyFormat,
  requestId: string,
): StreamReply {
  const closed = new Promise<void>((resolve) => {
    res.once("close", () => resolve());
    req.once("close", () => resolve());
  });
  return {
    format,
    begin(headers) {
      res.writeHead(200, { ...headers, "x-amzn-requestid": requestId });
    },
    write(chunk) {
      return (res as http.ServerResponse).write(chunk);
    },
    drained() {
      return new Promise((resolve) => {
        res.once("drain", () => resolve());
        res.once("close", () => resolve());
      });
    },
    end() {
      if (!res.writableEnded) res.end();
    },
    closed,
  };
}

function header(req: http.IncomingMessage | http2.Http2ServerRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: http.IncomingMessage | http2.Http2ServerRequest, bytesMax: number): Promise<Buffer> {
  const declared = Number(header(req, "content-length") ?? "0");
  if (declared > bytesMax) throw new SerializationError(`The request body of ${declared} bytes is over ${bytesMax}.`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > bytesMax) throw new SerializationError(`The request body is over ${bytesMax} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

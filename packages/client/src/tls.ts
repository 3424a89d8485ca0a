/**
 * TLS for the SDK's connections: the CA to verify brokers against and, for mutual TLS, the client's own
 * certificate. Each is the PEM itself (a Buffer) or the path of a PEM file (a string).
 */
import { readFileSync } from "node:fs";
import { grpc } from "@eddy/api";
import { KinesisError } from "@eddy/core";

export interface ClientTlsOptions {
  /** The CA that signed the brokers' certificates; the system's trusted CAs when absent. */
  readonly ca?: Buffer | string;
  /** A client certificate, for brokers that ask for one; give it with `key`. */
  readonly cert?: Buffer | string;
  readonly key?: Buffer | string;
}

/** The gRPC credentials of `tls`; a bad option is an InvalidArgumentException that names it. */
export function tlsCredentials(tls: ClientTlsOptions): grpc.ChannelCredentials {
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new KinesisError("InvalidArgumentException", "tls.cert and tls.key must be given together");
  }
  const ca = tls.ca === undefined ? null : pem("tls.ca", tls.ca);
  const key = tls.key === undefined ? null : pem("tls.key", tls.key);
  const cert = tls.cert === undefined ? null : pem("tls.cert", tls.cert);
  return grpc.credentials.createSsl(ca, key, cert);
}

function pem(field: string, value: Buffer | string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  try {
    return readFileSync(value);
  } catch (error) {
    throw new KinesisError(
      "InvalidArgumentException",
      `${field}: cannot read ${value}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

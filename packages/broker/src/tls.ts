/**
 * Certificates from files for the broker's TLS listeners, reloaded when the files are replaced, so a
 * certificate can be rotated without a restart. Only new connections get the new pair.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import type { Logger } from "pino";
import { grpc } from "@eddy/api";

/** How often the certificate and key files are looked at for a replacement. */
export const CERT_POLL_INTERVAL_MS = 1_000;

export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export function readCertificate(files: CertificateFiles): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
}

/**
 * Calls `apply` with the pair each time either file changes. A pair that does not match yet (one file
 * written before the other) is refused by `apply` and the old one stays until the second file lands.
 * Returns the function that stops watching.
 */
export function watchCertificate(
  files: CertificateFiles,
  apply: (context: SecureContextOptions) => void,
  logger: Logger,
  what: string,
): () => void {
  const reload = (): void => {
    try {
      apply(readCertificate(files));
      logger.info({ certFile: files.certFile }, `${what}: certificate reloaded`);
    } catch (error) {
      logger.warn({ err: error, ...files }, `${what}: certificate not reloaded`);
    }
  };
  watchFile(files.certFile, { interval: CERT_POLL_INTERVAL_MS }, reload);
  watchFile(files.keyFile, { interval: CERT_POLL_INTERVAL_MS }, reload);
  return () => {
    unwatchFile(files.certFile, reload);
    unwatchFile(files.keyFile, reload);
  };
}

/** extendedKeyUsage of a certificate a TLS server may present: what marks a broker's certificate. */
export const SERVER_AUTH_OID = "1.3.6.1.5.5.7.3.1";

/** The part of grpc-js's `call.getAuthContext()` a cluster-service check reads. */
export interface CallAuthContext {
  readonly transportSecurityType?: string;
  /** Set only when the caller presented a certificate that the cluster CA signed. */
  readonly sslPeerCertificate?: {
    readonly subject?: { readonly CN?: string | string[] };
    readonly ext_key_usage?: readonly string[];
  };
}

/** Why a caller is not let into the cluster service: no CA-signed certificate, or not a broker's. */
export interface CertificateRefusal {
  readonly code: "UNAUTHENTICATED" | "PERMISSION_DENIED";
  readonly reason: string;
}

/**
 * Whether a cluster-service caller is a broker of this cluster: its certificate is signed by the
 * cluster CA (grpc-js reports a peer certificate only then) and may serve TLS (serverAuth), which
 * `eddy certs dev` and any sensible CA give brokers and not clients. Pure: the auth context goes in.
 */
export function brokerCertificateRefusal(auth: CallAuthContext | null | undefined): CertificateRefusal | undefined {
  const certificate = auth?.sslPeerCertificate;
  if (auth?.transportSecurityType !== "ssl" || certificate === undefined) {
    return {
      code: "UNAUTHENTICATED",
      reason: "no client certificate signed by the cluster CA: only brokers of this cluster may call it",
    };
  }
  if (!(certificate.ext_key_usage ?? []).includes(SERVER_AUTH_OID)) {
    const cn = certificate.subject?.CN;
    return {
      code: "PERMISSION_DENIED",
      reason:
        `the client certificate ${cn === undefined ? "" : `CN=${String(cn)} `}is not a broker certificate: ` +
        `its extendedKeyUsage lacks serverAuth (${SERVER_AUTH_OID})`,
    };
  }
  return undefined;
}

export interface ClusterTlsFiles extends CertificateFiles {
  readonly caFile: string;
}

/**
 * The gRPC port's TLS: the broker's certificate and the cluster CA, read by one grpc-js file watcher
 * that rereads them every CERT_POLL_INTERVAL_MS, so new connections (accepted and dialed) get a
 * replaced certificate without a restart. Brokers present their certificate when they dial (mutual
 * TLS); the server asks every caller for one but lets SDK clients without one in, and the cluster
 * service checks callers itself (`brokerCertificateRefusal`).
 */
export class GrpcTls {
  private readonly provider: grpc.experimental.FileWatcherCertificateProvider;
  readonly server: grpc.ServerCredentials;
  /** Shared by every channel to a peer: each new connection asks it for the latest pair. */
  readonly channel: grpc.ChannelCredentials;

  constructor(readonly files: ClusterTlsFiles) {
    // Loaded once here, so that an unreadable file or a key that does not match the certificate fails
    // the start, instead of the port silently turning every connection away.
    try {
      createSecureContext({ ...readCertificate(files), ca: readFileSync(files.caFile) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`TLS files ${files.certFile}, ${files.keyFile}, ${files.caFile}: ${reason}`);
    }
    this.provider = new grpc.experimental.FileWatcherCertificateProvider({
      certificateFile: files.certFile,
      privateKeyFile: files.keyFile,
      caCertificateFile: files.caFile,
      refreshIntervalMs: CERT_POLL_INTERVAL_MS,
    });
    // One provider gives both the identity and the CA, so the order of the two arguments does not matter.
    this.server = grpc.experimental.createCertificateProviderServerCredentials(this.provider, this.provider, false);
    this.channel = grpc.experimental.createCertificateProviderChannelCredentials(this.provider, this.provider);
  }
}

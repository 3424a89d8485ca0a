/**
 * Certificates from files for the broker's TLS listeners, reloaded when the files are replaced, so a
 * certificate can be rotated without a restart. Only new connections get the new pair.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import type { SecureContextOptions } from "node:tls";
import type { Logger } from "pino";

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

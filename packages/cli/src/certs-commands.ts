/**
 * `eddy certs dev`: a local certificate authority and certificates for trying TLS out, made with the
 * openssl command (no hand-written ASN.1). Not for production: the keys are written unencrypted.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";

/** Days the dev CA and its certificates are valid. */
export const DEV_CERT_DAYS = 365;
const KEY_BITS = "2048";

export interface DevCertsPlan {
  readonly dir: string;
  /** Broker ids; each certificate names the id, localhost and 127.0.0.1, plus `hosts`. */
  readonly brokers: readonly string[];
  readonly hosts: readonly string[];
  readonly clients: readonly string[];
}

/** The subjectAltName of a broker's certificate: its id and the hosts as DNS names, IPs as IP. */
export function subjectAltNames(id: string, hosts: readonly string[]): string {
  const names = [...new Set([id, "localhost", "127.0.0.1", ...hosts])];
  return names.map((h) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(":") ? `IP:${h}` : `DNS:${h}`)).join(",");
}

/**
 * Makes the CA (or reuses the one already in `dir`, so that more certificates, or replacements to rotate
 * to, can be issued later), then a key and a CA-signed certificate for each broker and client. Brokers'
 * certificates may serve and dial (serverAuth, clientAuth), clients' only dial (clientAuth): brokers
 * accept peers by serverAuth. Returns the files written.
 */
export function makeDevCerts(plan: DevCertsPlan): string[] {
  const dir = resolve(plan.dir);
  mkdirSync(dir, { recursive: true });
  const openssl = (args: readonly string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const caKey = join(dir, "ca.key");
  const caCert = join(dir, "ca.crt");
  const reuse = existsSync(caKey) && existsSync(caCert);
  if (!reuse)
    openssl(
      ["req", "-x509", "-newkey", `rsa:${KEY_BITS}`, "-nodes", "-days", String(DEV_CERT_DAYS)]
        .concat(["-keyout", caKey, "-out", caCert, "-subj", "/CN=Eddy dev CA"])
        .concat(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
    );
  const files = reuse ? [] : [caKey, caCert];
  const issue = (name: string, san: string | undefined, usage: string) => {
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.crt`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(
      ext,
      [`basicConstraints=CA:FALSE`, `keyUsage=digitalSignature,keyEncipherment`, `extendedKeyUsage=${usage}`]
        .concat(san ? [`subjectAltName=${san}`] : [])
        .join("\n") + "\n",
    );
    openssl(["req", "-newkey", `rsa:${KEY_BITS}`, "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=${name}`]);
    openssl(
      ["x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial", "-out", cert].concat([
        "-days",
        String(DEV_CERT_DAYS),
        "-extfile",
        ext,
      ]),
    );
    rmSync(csr);
    rmSync(ext);
    files.push(key, cert);
  };
  for (const id of plan.brokers) issue(id, subjectAltNames(id, plan.hosts), "serverAuth,clientAuth");
  for (const client of plan.clients) issue(client, undefined, "clientAuth");
  return files;
}

export function registerCertsCommands(program: Command): void {
  const certs = program.command("certs").description("certificates for trying TLS out");
  certs
    .command("dev")
    .description(
      "create a local CA (or reuse the one in --out) and broker and client certificates with openssl (keys unencrypted: dev only)",
    )
    .option("--out <dir>", "where to write them", ".eddy/certs")
    .option("--broker <id>", "a broker certificate (repeatable)", collect, [] as string[])
    .option(
      "--host <name>",
      "another DNS name or IP every broker certificate names (repeatable)",
      collect,
      [] as string[],
    )
    .option("--client <name>", "a client certificate (repeatable)", collect, [] as string[])
    .action((o: { out: string; broker: string[]; host: string[]; client: string[] }) => {
      const brokers = o.broker.length > 0 ? o.broker : ["b1", "b2", "b3"];
      const clients = o.client.length > 0 ? o.client : ["client"];
      const files = makeDevCerts({ dir: o.out, brokers, hosts: o.host, clients });
      process.stdout.write(
        `wrote ${files.length} files to ${resolve(o.out)}:\n${files.map((f) => `  ${f}`).join("\n")}\n` +
          `the keys are not encrypted: for trying TLS out only\n`,
      );
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

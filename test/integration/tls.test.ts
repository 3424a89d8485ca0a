/**
 * TLS on every listener and mutual TLS between brokers (issue 10), with real broker processes on
 * loopback and the certificates of `eddy certs dev`: the cluster's CA with broker certificates (serverAuth
 * and clientAuth) and a client certificate (clientAuth only), and a second, foreign CA.
 */
import { X509Certificate } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpc, loadClusterService, type ClusterClient } from "@eddy/api";
import { EddyClient, Producer } from "@eddy/client";
import {
  BrokerProcess,
  ClusterProcess,
  readReplica,
  replicasConverged,
  runEddy,
  type ClusterStatuses,
} from "@eddy/testkit";
import { readShard } from "./helpers.js";

/** How long a replaced certificate may take to reach new connections: the files are reread every second. */
const ROTATION_TIMEOUT_MS = 15_000;
const POLL_MS = 100;

async function devCerts(dir: string, args: readonly string[]): Promise<void> {
  const made = await runEddy(["certs", "dev", "--out", dir, ...args]);
  expect(made.code, made.stderr).toBe(0);
}

/** Polls `probe` until it returns true; fails naming `what` after `timeoutMs`. */
async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The certificate a new TLS connection to `address` is served, trusting `ca`. */
function servedCertificate(address: string, ca: Buffer, alpn: string[]): Promise<PeerCertificate> {
  const [host, port] = address.replace(/^https?:\/\//, "").split(":") as [string, string];
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port: Number(port), ca, ALPNProtocols: alpn }, () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
    socket.on("error", reject);
  });
}

function clusterClient(endpoint: string, credentials: grpc.ChannelCredentials): ClusterClient {
  const { Client } = loadClusterService();
  return new Client(endpoint, credentials) as unknown as ClusterClient;
}

/** Calls Cluster.ReadIndex; resolves with the status code it ends with (OK on success). */
function readIndexStatus(client: ClusterClient): Promise<{ code: grpc.status; details: string }> {
  return new Promise((resolve) =>
    client.ReadIndex({}, { deadline: Date.now() + 10_000 }, (error) =>
      resolve(error ? { code: error.code, details: error.details } : { code: grpc.status.OK, details: "" }),
    ),
  );
}

/** The value of a counter sample of /metrics whose labels contain `labels`, summed; 0 when none. */
function counterValue(metrics: string, name: string, labels: string): number {
  return metrics
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

function registered(statuses: ClusterStatuses, id: string): boolean {
  return [...statuses.values()].some((s) => s.brokers.some((b) => b.id === id));
}

describe("a TLS cluster: every listener encrypted, brokers authenticate each other by the cluster CA", () => {
  let root: string;
  let certs: string;
  let foreign: string;
  let caFile: string;
  let ca: Buffer;
  let c: ClusterProcess;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "eddy-mtls-"));
    certs = join(root, "cluster");
    foreign = join(root, "foreign");
    await devCerts(certs, ["--broker", "b1", "--broker", "b2", "--broker", "b3", "--broker", "b4"]);
    // Another CA's certificate for a would-be broker "b0", which sorts first, so it dials every member.
    await devCerts(foreign, ["--broker", "b0"]);
    caFile = join(certs, "ca.crt");
    ca = await readFile(caFile);
    c = await ClusterProcess.start({ tls: { dir: certs } });
    await c.formed();
  });
  afterAll(async () => {
    await c?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("forms, takes writes and serves reads through the SDK over TLS; a plain-text client is refused", async () => {
    expect(c.brokers.every((b) => b.adminUrl.startsWith("https:") && b.kinesisUrl.startsWith("https:"))).toBe(true);
    const [shardId] = await c.createStream("secure", 1);
    // The CA as a file path, through the producer's own client.
    const producer = new Producer({ endpoints: c.endpoints(), tls: { ca: caFile }, lingerMs: 0 });
    try {
      for (let i = 0; i < 5; i++) await producer.put({ stream: "secure", partitionKey: `k${i}`, data: `r${i}` });
    } finally {
      await producer.close();
    }
    const client = new EddyClient(c.clientOptions());
    try {
      const records = await readShard(client, "secure", shardId!);
      expect(records.map((r) => r.data)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    } finally {
      client.close();
    }
    // Replicated over mutual TLS: every broker's replica holds the records (read with a broker certificate).
    await c.waitFor((s) => replicasConverged(s, "secure", [shardId!]), { what: "the replicas to converge" });
    const asBroker = grpc.credentials.createSsl(
      ca,
      await readFile(join(certs, "b4.key")),
      await readFile(join(certs, "b4.crt")),
    );
    for (const b of c.brokers) {
      const replica = await readReplica(b.endpoint, b.id, "secure", shardId!, asBroker);
      expect(
        replica?.records.map((r) => r.data),
        b.id,
      ).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    }
    const plain = new EddyClient({ endpoint: c.brokers[0]!.endpoint, deadlineMs: 3_000 });
    try {
      await expect(plain.listStreams()).rejects.toMatchObject({ name: expect.stringMatching(/Unavailable|Timeout/) });
    } finally {
      plain.close();
    }
    // The CLI: --tls-ca, or EDDY_TLS_CA.
    const endpoint = c.brokers[1]!.endpoint;
    const listed = await runEddy(["--endpoint", endpoint, "--tls-ca", caFile, "stream", "list"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain("secure");
    const fromEnv = await runEddy(["--endpoint", endpoint, "stream", "list"], { env: { EDDY_TLS_CA: caFile } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toContain("secure");
  });

  it("the cluster service refuses callers without a broker certificate: none, or a client's", async () => {
    const endpoint = c.brokers[0]!.endpoint;
    const noCertificate = clusterClient(endpoint, grpc.credentials.createSsl(ca));
    const clientCertificate = clusterClient(
      endpoint,
      grpc.credentials.createSsl(
        ca,
        await readFile(join(certs, "client.key")),
        await readFile(join(certs, "client.crt")),
      ),
    );
    const brokerCertificate = clusterClient(
      endpoint,
      grpc.credentials.createSsl(ca, await readFile(join(certs, "b4.key")), await readFile(join(certs, "b4.crt"))),
    );
    try {
      const none = await readIndexStatus(noCertificate);
      expect(none.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(none.details).toMatch(/ReadIndex refused: no client certificate signed by the cluster CA/);
      const client = await readIndexStatus(clientCertificate);
      expect(client.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(client.details).toMatch(/CN=client is not a broker certificate: its extendedKeyUsage lacks serverAuth/);
      // A broker certificate gets in: the answer is the controller's (a commit index, or "not the leader").
      const broker = await readIndexStatus(brokerCertificate);
      expect([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]).not.toContain(broker.code);
      const metrics = await c.metrics("b1");
      expect(counterValue(metrics, "eddy_cluster_calls_refused_total", 'call="ReadIndex",code="UNAUTHENTICATED"')).toBe(
        1,
      );
      expect(
        counterValue(metrics, "eddy_cluster_calls_refused_total", 'call="ReadIndex",code="PERMISSION_DENIED"'),
      ).toBe(1);
    } finally {
      noCertificate.close();
      clientCertificate.close();
      brokerCertificate.close();
    }
  });

  it("a broker with another CA's certificate cannot join; one with a valid certificate can", async () => {
    // b0 trusts the cluster's CA, so it reaches the brokers, but presents a certificate they cannot verify.
    await c.addBroker({
      id: "b0",
      zone: "a",
      certificate: { certFile: join(foreign, "b0.crt"), keyFile: join(foreign, "b0.key") },
    });
    for (const id of ["b1", "b2", "b3"]) {
      await until(
        async () =>
          counterValue(
            await c.metrics(id),
            "eddy_cluster_calls_refused_total",
            'call="Exchange",code="UNAUTHENTICATED"',
          ) > 0,
        `${id} to refuse b0's peer stream`,
      );
    }
    // Its registration is refused too (at whichever broker it asks), so it never becomes a member.
    await until(async () => {
      let refused = 0;
      for (const id of ["b1", "b2", "b3"])
        refused += counterValue(await c.metrics(id), "eddy_cluster_calls_refused_total", 'call="ProposeCommand"');
      return refused > 0;
    }, "b0's registration to be refused");
    const statuses = await c.statuses();
    expect(registered(statuses, "b0")).toBe(false);
    for (const status of statuses.values()) {
      expect(status.controller.voters).not.toContain("b0");
      expect(status.groups.every((g) => !g.replicas.includes("b0"))).toBe(true);
    }
    // The cluster keeps serving meanwhile.
    const client = new EddyClient(c.clientOptions());
    try {
      await c.createStream("while-refusing", 1);
      await client.putRecord({ streamName: "while-refusing", partitionKey: "k", data: "still serving" });
    } finally {
      client.close();
    }
    // A broker with a certificate of the cluster CA joins.
    await c.addBroker({ id: "b4", zone: "b" });
    await c.waitFor(
      (s) =>
        ["b1", "b2", "b3", "b4"].every(
          (id) => s.get(id)?.brokers.find((b) => b.id === "b4")?.state === "live" && !registered(s, "b0"),
        ),
      { what: "b4 registered and live everywhere, b0 nowhere", timeoutMs: 30_000 },
    );
    await c.kill("b0");
  });
});

describe("certificate rotation without a restart", () => {
  let dir: string;
  let broker: BrokerProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "eddy-rotate-"));
    await devCerts(dir, ["--broker", "b1"]);
    broker = await BrokerProcess.start({
      tls: { certFile: join(dir, "b1.crt"), keyFile: join(dir, "b1.key"), caFile: join(dir, "ca.crt") },
    });
  });
  afterAll(async () => {
    await broker?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it("a certificate replaced on disk is served to new gRPC and Kinesis connections", async () => {
    const ca = await readFile(join(dir, "ca.crt"));
    const before = new X509Certificate(await readFile(join(dir, "b1.crt")));
    expect((await servedCertificate(broker.endpoint, ca, ["h2"])).fingerprint256).toBe(before.fingerprint256);
    expect((await servedCertificate(broker.kinesisUrl, ca, ["h2"])).fingerprint256).toBe(before.fingerprint256);
    // A new certificate for b1 from the same CA (the dev CA is reused when it is in --out already).
    const next = join(dir, "next");
    await mkdir(next);
    await copyFile(join(dir, "ca.crt"), join(next, "ca.crt"));
    await copyFile(join(dir, "ca.key"), join(next, "ca.key"));
    await devCerts(next, ["--broker", "b1"]);
    const after = new X509Certificate(await readFile(join(next, "b1.crt")));
    expect(after.serialNumber).not.toBe(before.serialNumber);
    await copyFile(join(next, "b1.key"), join(dir, "b1.key"));
    await copyFile(join(next, "b1.crt"), join(dir, "b1.crt"));
    const serves = (url: string) => async () =>
      (await servedCertificate(url, ca, ["h2"]).catch(() => undefined))?.fingerprint256 === after.fingerprint256;
    await until(serves(broker.endpoint), "the gRPC port to serve the new certificate", ROTATION_TIMEOUT_MS);
    await until(serves(broker.kinesisUrl), "the Kinesis endpoint to serve the new certificate", ROTATION_TIMEOUT_MS);
    expect((await servedCertificate(broker.endpoint, ca, ["h2"])).serialNumber).toBe(after.serialNumber);
    // The SDK connects afresh and is served by the same process, never restarted.
    const client = new EddyClient({ endpoint: broker.endpoint, tls: { ca } });
    try {
      await client.createStream({ streamName: "after-rotation", shardCount: 1 });
      expect((await client.listStreams()).streamNames).toContain("after-rotation");
    } finally {
      client.close();
    }
    expect(broker.running).toBe(true);
  });
});

describe("TLS files that cannot be used", () => {
  it("a key that does not match the certificate stops the start, naming the files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eddy-badtls-"));
    try {
      await devCerts(dir, ["--broker", "b1", "--broker", "b2"]);
      const run = await runEddy(
        [
          "broker",
          "--grpc-port",
          "0",
          "--admin-port",
          "0",
          "--kinesis-port",
          "0",
          "--data-dir",
          join(dir, "data"),
        ].concat([
          "--tls-cert",
          join(dir, "b1.crt"),
          "--tls-key",
          join(dir, "b2.key"),
          "--tls-ca",
          join(dir, "ca.crt"),
        ]),
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/could not start: TLS files .*b1\.crt, .*b2\.key, .*ca\.crt: .*key values mismatch/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a broker beyond loopback", () => {
  it("refuses to start without TLS and authentication, naming the host and what to add", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "eddy-exposed-"));
    try {
      // Refused before anything binds: the address is never listened on.
      const run = await runEddy(["broker", "--host", "0.0.0.0", "--grpc-port", "0", "--data-dir", dataDir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /host 0\.0\.0\.0 is not a loopback address and TLS is off: add --tls-cert, --tls-key and --tls-ca/,
      );
      expect(run.stderr).toMatch(/authentication is off: add --auth-file \(or --insecure to listen without it\)/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

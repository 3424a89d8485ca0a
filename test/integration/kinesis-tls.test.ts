/**
 * The Kinesis endpoint with a certificate: TLS on the same port, HTTP/2 or HTTP/1.1 as ALPN picks,
 * both answering Kinesis calls. The certificates are `eddy certs dev`'s (a local CA and a broker
 * certificate it signed), so the clients trust the CA, not the certificate itself.
 */
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import * as http2 from "node:http2";
import * as https from "node:https";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerProcess, runEddy } from "@eddy/testkit";

const LIST_STREAMS = { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" };

/** One Kinesis call over HTTP/2 with TLS: status and decoded JSON body. */
async function call(session: http2.ClientHttp2Session, target: string, input: unknown) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = session.request({
      ":method": "POST",
      ":path": "/",
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `Kinesis_20131202.${target}`,
    });
    let status = 0;
    let body = "";
    req.on("response", (headers) => (status = Number(headers[":status"])));
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => resolve({ status, body: JSON.parse(body) as Record<string, unknown> }));
    req.on("error", reject);
    req.end(JSON.stringify(input));
  });
}

describe("TLS on the Kinesis endpoint and the admin port (--tls-cert, --tls-key)", () => {
  let dir: string;
  let broker: BrokerProcess;
  let ca: Buffer;
  let origin: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "eddy-tls-"));
    // The certificates of `eddy certs dev`: a local CA, and a broker certificate it signed.
    const made = await runEddy(["certs", "dev", "--out", dir, "--broker", "b1"]);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/the keys are not encrypted/);
    const cert = join(dir, "b1.crt");
    const key = join(dir, "b1.key");
    ca = await readFile(join(dir, "ca.crt"));
    // Iterators expire after 1.5 s here, so that ExpiredIteratorException can be seen.
    broker = await BrokerProcess.start({
      args: ["--tls-cert", cert, "--tls-key", key, "--tls-ca", join(dir, "ca.crt"), "--iterator-ttl-ms", "1500"],
    });
    origin = broker.kinesisUrl;
    expect(origin).toMatch(/^https:/);
  });
  afterAll(async () => {
    await broker?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it("the admin port speaks TLS too", async () => {
    expect(broker.adminUrl).toMatch(/^https:/);
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(`${broker.adminUrl}/healthz`, { ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });
    expect(status).toBe(200);
  });

  it("speaks HTTP/2 when the client offers h2", async () => {
    const session = http2.connect(origin, { ca });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = session.request({ ":method": "POST", ":path": "/", ...LIST_STREAMS });
        let status = 0;
        let body = "";
        req.on("response", (headers) => (status = Number(headers[":status"])));
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => resolve({ status, body }));
        req.on("error", reject);
        req.end("{}");
      });
      expect(session.alpnProtocol).toBe("h2");
      expect(status).toBe(200);
      expect(JSON.parse(body)).toMatchObject({ StreamNames: [], HasMoreStreams: false });
    } finally {
      session.close();
    }
  });

  it("speaks HTTP/1.1 when the client offers only that, and refuses a client that does not trust it", async () => {
    const answer = await new Promise<{ status: number; alpn: string | false | null; body: string }>(
      (resolve, reject) => {
        const req = https.request(
          origin,
          { method: "POST", headers: LIST_STREAMS, ca, ALPNProtocols: ["http/1.1"] } as https.RequestOptions,
          (res) => {
            const alpn = (res.socket as TLSSocket).alpnProtocol;
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, alpn, body }));
          },
        );
        req.on("error", reject);
        req.end("{}");
      },
    );
    expect(answer.alpn).toBe("http/1.1");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ StreamNames: [] });
    const untrusted = await new Promise<Error>((resolve) => {
      const req = https.request(origin, { method: "POST", headers: LIST_STREAMS }, () =>
        resolve(new Error("answered")),
      );
      req.on("error", resolve);
      req.end("{}");
    });
    expect(untrusted.message).toMatch(/self.signed|certificate/i);
  });

  it("an iterator past its lifetime is ExpiredIteratorException", async () => {
    const session = http2.connect(origin, { ca });
    try {
      expect((await call(session, "CreateStream", { StreamName: "tls-exp", ShardCount: 1 })).status).toBe(200);
      let iterator: unknown;
      for (let i = 0; i < 100 && iterator === undefined; i++) {
        const out = await call(session, "GetShardIterator", {
          StreamName: "tls-exp",
          ShardId: "shardId-000000000000",
          ShardIteratorType: "TRIM_HORIZON",
        });
        if (out.status === 200) iterator = out.body["ShardIterator"];
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect((await call(session, "GetRecords", { ShardIterator: iterator })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_600)); // the iterator's lifetime is 1.5 s
      const expired = await call(session, "GetRecords", { ShardIterator: iterator });
      expect(expired.status).toBe(400);
      expect(expired.body).toMatchObject({ __type: "ExpiredIteratorException" });
    } finally {
      session.close();
    }
  });

  it("a certificate replaced on disk is used by new connections without a restart", async () => {
    // A second CA and its certificate for b1, copied over the files the broker serves.
    const other = join(dir, "rotated");
    expect((await runEddy(["certs", "dev", "--out", other, "--broker", "b1"])).code).toBe(0);
    const newCa = await readFile(join(other, "ca.crt"));
    await copyFile(join(other, "b1.key"), join(dir, "b1.key"));
    await copyFile(join(other, "b1.crt"), join(dir, "b1.crt"));
    const trusts = async (authority: Buffer): Promise<boolean> => {
      const session = http2.connect(origin, { ca: authority });
      try {
        return await new Promise<boolean>((resolve) => {
          session.once("connect", () => resolve(true));
          session.once("error", () => resolve(false));
        });
      } finally {
        session.close();
      }
    };
    const deadline = Date.now() + 15_000;
    while (!(await trusts(newCa))) {
      if (Date.now() > deadline) throw new Error("the new certificate was not picked up");
      await new Promise((r) => setTimeout(r, 100));
    }
    // New connections get the new certificate: a client trusting only the old CA is refused now.
    expect(await trusts(ca)).toBe(false);
  });
});

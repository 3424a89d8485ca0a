/**
 * The peer transport over real gRPC servers on 127.0.0.1, several brokers in one process. Conditions are
 * awaited (`waitFor` polls on setImmediate), never slept for.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GRPC_CHANNEL_OPTIONS, grpc } from "@eddy/api";
import { EntryType } from "@eddy/raft";
import { batchFrame, frameMessages, helloFrame, messageSizeBytes } from "./codec.js";
import type { PeerTransportLimits } from "./limits.js";
import { loadPeerProto } from "./proto.js";
import type { Message } from "./raft.js";
import { PeerTransport, type PeerEvent, type PeerTransportOptions } from "./transport.js";
import { CONTROLLER_SNAPSHOT_BYTES_MAX } from "../cluster/controller-node.js";

const CLUSTER = "test-cluster";
const FAST: Partial<PeerTransportLimits> = { reconnectBackoffMsMin: 5, reconnectBackoffMsMax: 50 };

interface Received {
  readonly from: string;
  readonly groupId: number;
  readonly message: Message;
}

/** One broker: its gRPC server, its transport, what it received and what happened to it. */
interface Broker {
  readonly id: string;
  readonly port: number;
  readonly server: grpc.Server;
  readonly transport: PeerTransport;
  readonly received: Received[];
  readonly events: PeerEvent[];
}

const running: Broker[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map(stopBroker));
});

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadlineMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function bindServer(port: number): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server(GRPC_CHANNEL_OPTIONS);
  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: boundPort };
}

interface BrokerSpec {
  readonly id: string;
  readonly port?: number;
  readonly peers: ReadonlyMap<string, string>;
  readonly clusterId?: string;
  readonly limits?: Partial<PeerTransportLimits>;
  readonly authorize?: PeerTransportOptions["authorize"];
}

async function startBroker(spec: BrokerSpec): Promise<Broker> {
  const { server, port } = await bindServer(spec.port ?? 0);
  const received: Received[] = [];
  const events: PeerEvent[] = [];
  const transport = new PeerTransport({
    selfId: spec.id,
    clusterId: spec.clusterId ?? CLUSTER,
    peers: spec.peers,
    onMessage: (from, groupId, message) => received.push({ from, groupId, message }),
    onEvent: (event) => events.push(event),
    limits: { ...FAST, ...spec.limits },
    ...(spec.authorize ? { authorize: spec.authorize } : {}),
  });
  transport.addToServer(server);
  const broker = { id: spec.id, port, server, transport, received, events };
  running.push(broker);
  return broker;
}

async function stopBroker(broker: Broker): Promise<void> {
  const index = running.indexOf(broker);
  if (index >= 0) running.splice(index, 1);
  broker.transport.close();
  await new Promise<void>((resolve) => broker.server.tryShutdown(() => resolve()));
}

/** Brokers on ports picked by the OS: the ports are reserved first, so every broker knows every address. */
async function startCluster(ids: readonly string[], limits?: Partial<PeerTransportLimits>): Promise<Broker[]> {
  const reserved = await Promise.all(ids.map(() => bindServer(0)));
  const ports = reserved.map((r) => r.port);
  await Promise.all(reserved.map((r) => new Promise<void>((resolve) => r.server.tryShutdown(() => resolve()))));
  const address = (i: number) => `127.0.0.1:${ports[i]}`;
  return Promise.all(
    ids.map((id, i) =>
      startBroker({
        id,
        port: ports[i],
        peers: new Map(ids.flatMap((other, j) => (other === id ? [] : [[other, address(j)] as const]))),
        limits,
      }),
    ),
  );
}

const allConnected = (brokers: readonly Broker[]) =>
  brokers.every((b) => b.transport.connectedPeers().length === brokers.length - 1);

function app(from: string, to: string, index: number, dataBytes = 16): Message {
  const data = new Uint8Array(dataBytes).fill(index & 0xff);
  const entry = { index, term: 1, type: EntryType.Records, timestampMs: 1_000 + index, data };
  return { type: "MsgApp", from, to, term: 1, prevIndex: index - 1, prevTerm: 1, commitIndex: 0, entries: [entry] };
}

const appIndex = (r: Received) => (r.message.type === "MsgApp" ? r.message.entries[0]!.index : -1);
const indexesOf = (received: readonly Received[], groupId: number) =>
  received.filter((r) => r.groupId === groupId && r.message.type === "MsgApp").map(appIndex);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("PeerTransport", () => {
  it("two brokers: messages of several groups arrive in order per group, both ways on one stream", async () => {
    const [a, b] = await startCluster(["a", "b"]);
    // Sent before the stream exists: they wait in the queue.
    for (let i = 1; i <= 300; i++) a!.transport.send("b", i % 3, app("a", "b", i));
    await waitFor(() => b!.received.length === 300);
    for (let i = 301; i <= 600; i++) {
      a!.transport.send("b", i % 3, app("a", "b", i));
      b!.transport.send("a", 10 + (i % 2), app("b", "a", i));
      // Several turns of the event loop, so several flushes.
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => b!.received.length === 600 && a!.received.length === 300);
    for (const group of [0, 1, 2]) {
      expect(indexesOf(b!.received, group)).toEqual(range(1, 600).filter((i) => i % 3 === group));
    }
    expect(indexesOf(a!.received, 10)).toEqual(range(301, 600).filter((i) => i % 2 === 0));
    expect(b!.received[0]).toEqual({ from: "a", groupId: 1, message: app("a", "b", 1) });
    // One stream: "a" (the smaller id) dialed once, "b" answered on it and never dialed.
    expect(a!.events.filter((e) => e.kind === "connected")).toEqual([{ kind: "connected", peerId: "b", dialed: true }]);
    expect(b!.events.filter((e) => e.kind === "connected")).toEqual([
      { kind: "connected", peerId: "a", dialed: false },
    ]);
    const aStats = a!.transport.stats().peers.get("b")!;
    expect(aStats).toMatchObject({ connected: true, messagesSent: 600, messagesReceived: 300, messagesDropped: 0 });
    expect(aStats.framesSent).toBeLessThan(30);
  });

  it("the heartbeats of 500 groups to one peer leave as one frame, and the responses as one", async () => {
    const [a, b] = await startCluster(["a", "b"]);
    await waitFor(() => allConnected([a!, b!]));
    const before = a!.transport.stats().peers.get("b")!;
    for (let group = 0; group < 500; group++) {
      a!.transport.send("b", group, { type: "MsgHeartbeat", from: "a", to: "b", term: 2, commitIndex: group });
    }
    await waitFor(() => b!.received.length === 500);
    for (const { groupId } of b!.received)
      b!.transport.send("a", groupId, { type: "MsgHeartbeatResp", from: "b", to: "a", term: 2 });
    await waitFor(() => a!.received.length === 500);

    const after = a!.transport.stats().peers.get("b")!;
    expect(after.framesSent - before.framesSent).toBe(1);
    expect(after.messagesSent - before.messagesSent).toBe(500);
    expect(after.framesReceived - before.framesReceived).toBe(1);
    // About 10 bytes a group.
    expect(after.bytesSent - before.bytesSent).toBeLessThan(500 * 12);
    expect(b!.received[499]!.message).toEqual({ type: "MsgHeartbeat", from: "a", to: "b", term: 2, commitIndex: 499 });
  });

  it("three brokers: a restarted broker is reconnected both ways and later messages arrive", async () => {
    const [a, b, c] = await startCluster(["a", "b", "c"]);
    await waitFor(() => allConnected([a!, b!, c!]));

    await stopBroker(b!);
    await waitFor(() => a!.transport.connectedPeers().length === 1 && c!.transport.connectedPeers().length === 1);
    // While "b" is down, sending to it neither blocks nor throws.
    a!.transport.send("b", 1, app("a", "b", 1));

    const peersOfB = new Map([
      ["a", `127.0.0.1:${a!.port}`],
      ["c", `127.0.0.1:${c!.port}`],
    ]);
    const b2 = await startBroker({ id: "b", port: b!.port, peers: peersOfB });
    await waitFor(() => allConnected([a!, b2, c!]));
    a!.transport.send("b", 1, app("a", "b", 2));
    c!.transport.send("b", 1, app("c", "b", 3));
    b2.transport.send("a", 1, app("b", "a", 4));
    b2.transport.send("c", 1, app("b", "c", 5));
    await waitFor(() => b2.received.length === 3 && a!.received.length === 1 && c!.received.length === 1);

    // What "a" queued while "b" was down went once the stream was back, ahead of what followed.
    expect(b2.received.filter((r) => r.from === "a").map(appIndex)).toEqual([1, 2]);
    expect(b2.received.filter((r) => r.from === "c").map(appIndex)).toEqual([3]);
    expect(a!.transport.stats().peers.get("b")!.reconnects).toBe(1);
    expect(c!.transport.stats().peers.get("b")!.reconnects).toBe(1);
    expect(a!.events.some((e) => e.kind === "disconnected" && e.peerId === "b")).toBe(true);
  });

  it("a broker of another cluster is refused, and nothing it sends is delivered", async () => {
    const reserved = await bindServer(0);
    await new Promise<void>((resolve) => reserved.server.tryShutdown(() => resolve()));
    const b = await startBroker({ id: "b", port: reserved.port, peers: new Map([["a", "127.0.0.1:1"]]) });
    const a = await startBroker({
      id: "a",
      clusterId: "another-cluster",
      peers: new Map([["b", `127.0.0.1:${b.port}`]]),
    });
    a.transport.send("b", 1, app("a", "b", 1));
    await waitFor(() => a.transport.stats().peers.get("b")!.dialFailures >= 2);

    expect(b.events.find((e) => e.kind === "refused")).toEqual({
      kind: "refused",
      peerId: "a",
      cause: "cluster",
      reason: `cluster id "another-cluster", expected "${CLUSTER}"`,
    });
    const aToB = a.transport.stats().peers.get("b")!;
    expect(aToB.connected).toBe(false);
    expect(b.transport.stats().streamsRefused).toBeGreaterThanOrEqual(2);
    expect(aToB.lastError).toMatch(/^FAILED_PRECONDITION: peer stream refused \(cluster\)/);
    expect(aToB.queuedMessages).toBe(1);
    expect(b.received).toEqual([]);
    expect(a.transport.connectedPeers()).toEqual([]);
    expect(b.transport.connectedPeers()).toEqual([]);
  });

  it("a stream whose connection `authorize` refuses is ended at its hello, whoever it claims to be", async () => {
    const b = await startBroker({
      id: "b",
      peers: new Map([["a", "127.0.0.1:1"]]),
      authorize: () => ({ code: "UNAUTHENTICATED", reason: "no client certificate signed by the cluster CA" }),
    });
    const a = await startBroker({ id: "a", peers: new Map([["b", `127.0.0.1:${b.port}`]]) });
    a.transport.send("b", 1, app("a", "b", 1));
    await waitFor(() => a.transport.stats().peers.get("b")!.dialFailures >= 1);
    expect(b.events.find((e) => e.kind === "refused")).toEqual({
      kind: "refused",
      peerId: "a",
      cause: "certificate",
      reason: "no client certificate signed by the cluster CA",
    });
    expect(b.transport.stats().streamsRefused).toBeGreaterThanOrEqual(1);
    expect(a.transport.stats().peers.get("b")!.lastError).toMatch(
      /^UNAUTHENTICATED: peer stream refused \(certificate\)/,
    );
    expect(b.received).toEqual([]);
    expect(b.transport.connectedPeers()).toEqual([]);
  });

  it("an unknown broker is refused and reported; once added as a peer, its next dial gets in", async () => {
    const b = await startBroker({ id: "b", peers: new Map() });
    const a = await startBroker({ id: "a", peers: new Map([["b", `127.0.0.1:${b.port}`]]) });
    await waitFor(() => b.events.some((e) => e.kind === "refused"));
    expect(b.events.find((e) => e.kind === "refused")).toMatchObject({ peerId: "a", cause: "unknown-peer" });

    b.transport.addPeer("a", `127.0.0.1:${a.port}`);
    await waitFor(() => allConnected([a, b]));
    b.transport.send("a", 3, app("b", "a", 1));
    await waitFor(() => a.received.length === 1);
  });

  it("over the queue bound, the oldest messages are dropped and counted, heartbeats kept, and the newest arrive", async () => {
    const reserved = await bindServer(0);
    await new Promise<void>((resolve) => reserved.server.tryShutdown(() => resolve()));
    const appBytes = messageSizeBytes(app("a", "b", 1, 1024));
    const queueBytesMaxPerPeer = 50 * appBytes;
    const a = await startBroker({
      id: "a",
      peers: new Map([["b", `127.0.0.1:${reserved.port}`]]),
      limits: { queueBytesMaxPerPeer },
    });
    // "b" is down: the queue fills to its bound and stays there.
    for (let i = 1; i <= 1_000; i++) a.transport.send("b", 1, app("a", "b", i, 1024));
    for (let group = 0; group < 200; group++) {
      a.transport.send("b", group, { type: "MsgHeartbeat", from: "a", to: "b", term: 1, commitIndex: group });
    }
    await waitFor(() => a.transport.stats().peers.get("b")!.dialFailures >= 2);
    expect(a.transport.stats().peers.get("b")).toMatchObject({
      queuedBytes: queueBytesMaxPerPeer,
      queuedMessages: 50 + 200,
      messagesDropped: 950,
    });

    const b = await startBroker({ id: "b", port: reserved.port, peers: new Map([["a", `127.0.0.1:${a.port}`]]) });
    await waitFor(() => b.received.length === 250);
    expect(indexesOf(b.received, 1)).toEqual(range(951, 1_000));
    expect(b.received.filter((r) => r.message.type === "MsgHeartbeat")).toHaveLength(200);
    expect(a.transport.stats().peers.get("b")).toMatchObject({
      queuedBytes: 0,
      queuedMessages: 0,
      messagesDropped: 950,
    });
  });

  it("a burst of many frames' worth is written as the stream takes it, in order, within the bounds", async () => {
    const frameBytesMax = 64 * 1024;
    const [a, b] = await startCluster(["a", "b"], { frameBytesMax });
    await waitFor(() => allConnected([a!, b!]));
    for (let i = 1; i <= 400; i++) a!.transport.send("b", 7, app("a", "b", i, 16 * 1024));
    // One flush cannot write it all: the write window holds about one frame until HTTP/2 takes it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(a!.transport.stats().peers.get("b")!.queuedMessages).toBeGreaterThan(0);

    await waitFor(() => b!.received.length === 400);
    expect(indexesOf(b!.received, 7)).toEqual(range(1, 400));
    const stats = a!.transport.stats().peers.get("b")!;
    expect(stats.framesSent).toBeGreaterThanOrEqual(100);
    expect(stats.bytesSent / (stats.framesSent - 1)).toBeLessThanOrEqual(frameBytesMax);
    expect(stats.messagesDropped).toBe(0);
  });

  it("a controller snapshot of the largest size (over a frame's worth) arrives whole, alone in its frame, between other messages", async () => {
    const [a, b] = await startCluster(["a", "b"]);
    await waitFor(() => allConnected([a!, b!]));
    const data = new Uint8Array(CONTROLLER_SNAPSHOT_BYTES_MAX);
    for (let i = 0; i < data.length; i += 4096) data[i] = (i / 4096) & 0xff;
    const conf = { voters: ["a", "b", "c"], learners: ["d"] };
    const snap: Message = {
      type: "MsgSnap",
      from: "a",
      to: "b",
      term: 3,
      snapshot: { meta: { index: 9_000, term: 3, conf }, data },
    };
    a!.transport.send("b", 0, app("a", "b", 1));
    a!.transport.send("b", 0, snap);
    a!.transport.send("b", 0, app("a", "b", 2));
    await waitFor(() => b!.received.length === 3);
    expect(b!.received.map((r) => r.message.type)).toEqual(["MsgApp", "MsgSnap", "MsgApp"]);
    const received = b!.received[1]!.message;
    expect(received.type === "MsgSnap" && received.snapshot.meta).toEqual({ index: 9_000, term: 3, conf });
    expect(received.type === "MsgSnap" && Buffer.from(received.snapshot.data).equals(Buffer.from(data))).toBe(true);
    expect(a!.transport.stats().peers.get("b")!).toMatchObject({ messagesTooLarge: 0, messagesDropped: 0 });
  });

  it("a peer that stops reading: writing waits for 'drain', the queue takes the rest, and all of it arrives", async () => {
    // "0" sorts before "a", so it dials "a" and "a" writes on the accepted stream.
    const a = await startBroker({ id: "a", peers: new Map([["0", "127.0.0.1:1"]]) });
    const peer = rawPeer(a.port);
    peer.write(helloFrame(CLUSTER, "0"));
    await waitFor(() => peer.frames.length === 1);
    peer.call.pause();

    // One small frame per turn until HTTP/2's window is full and the stream's buffer too.
    let sent = 0;
    const stats = () => a.transport.stats().peers.get("0")!;
    while (stats().drainWaits === 0) {
      sent += 1;
      a.transport.send("0", 1, app("a", "0", sent));
      await new Promise((resolve) => setImmediate(resolve));
      expect(sent).toBeLessThan(100_000);
    }
    for (let i = 0; i < 100; i++) a.transport.send("0", 1, app("a", "0", ++sent));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stats().queuedMessages).toBe(100);

    peer.call.resume();
    await waitFor(() => peer.frames.length > 1 && peer.messages("0", "a").length === sent);
    expect(peer.messages("0", "a").map((m) => (m.message.type === "MsgApp" ? m.message.entries[0]!.index : 0))).toEqual(
      range(1, sent),
    );
    expect(stats()).toMatchObject({ queuedMessages: 0, messagesDropped: 0, connected: true });
    peer.close();
  });

  it("frames before a valid hello are ignored; a frame that does not decode ends the stream", async () => {
    const a = await startBroker({ id: "a", peers: new Map([["0", "127.0.0.1:1"]]) });
    const peer = rawPeer(a.port);
    peer.write(batchFrame([{ groupId: 1, message: app("0", "a", 1) }]));
    peer.write(helloFrame(CLUSTER, "0"));
    peer.write(batchFrame([{ groupId: 1, message: app("0", "a", 2) }]));
    await waitFor(() => a.received.length === 1);
    expect(a.received[0]).toMatchObject({ from: "0", groupId: 1, message: { entries: [{ index: 2 }] } });

    peer.writeBytes(Buffer.from([0xff, 0xff, 0xff]));
    await waitFor(() => peer.status() !== undefined);
    expect(peer.status()).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(a.transport.stats().protocolErrors).toBe(1);
    expect(a.transport.connectedPeers()).toEqual([]);
    peer.close();
  });

  it("messages for a broker that is not a peer are counted, not thrown", async () => {
    const [a] = await startCluster(["a"]);
    a!.transport.send("zz", 1, app("a", "zz", 1));
    expect(a!.transport.stats().messagesToUnknownPeers).toBe(1);
    expect(() => a!.transport.send("b", 1, app("x", "b", 1))).toThrow(/Raft node ids must be broker ids/);
  });

  it("close() leaves no socket, timer or stream behind", async () => {
    const baseline = resourceCounts();
    const [a, b, c] = await startCluster(["a", "b", "c"]);
    await waitFor(() => allConnected([a!, b!, c!]));
    a!.transport.send("b", 1, app("a", "b", 1));
    // The check can see what it looks for: three listeners and six ends of three connections.
    expect(sameCounts(resourceCounts(), baseline)).toBe(false);
    expect(resourceCounts().get("TCPSocketWrap") ?? 0).toBeGreaterThanOrEqual(6);
    // "c" goes first, so "a" and "b" have redial timers pending when they close.
    await stopBroker(c!);
    await waitFor(() => a!.transport.stats().peers.get("c")!.dialFailures >= 1);
    await Promise.all([stopBroker(a!), stopBroker(b!)]);
    await waitFor(() => sameCounts(resourceCounts(), baseline));
    expect(a!.transport.connectedPeers()).toEqual([]);
  });
});

/**
 * A hand-driven peer: a raw Exchange stream to a broker's port, so a test can send what a transport
 * never would and stop reading as a stalled broker does.
 */
function rawPeer(port: number) {
  const proto = loadPeerProto();
  const identity = (bytes: Buffer) => bytes;
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest<Buffer, Buffer>(proto.exchangePath, identity, identity);
  const frames: Buffer[] = [];
  let status: grpc.StatusObject | undefined;
  call.on("data", (bytes: Buffer) => frames.push(bytes));
  call.on("error", () => {});
  call.on("status", (s: grpc.StatusObject) => (status = s));
  return {
    call,
    frames,
    status: () => status,
    messages: (self: string, from: string) => frames.flatMap((f) => frameMessages(proto.decodeFrame(f), from, self)),
    write: (frame: Parameters<typeof proto.encodeFrame>[0]) => call.write(proto.encodeFrame(frame)),
    writeBytes: (bytes: Buffer) => call.write(bytes),
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

/** Active handles by kind (TCP sockets and servers, timers, immediates). */
function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function sameCounts(now: Map<string, number>, baseline: Map<string, number>): boolean {
  const kinds = new Set([...now.keys(), ...baseline.keys()]);
  return [...kinds].every((kind) => (now.get(kind) ?? 0) <= (baseline.get(kind) ?? 0));
}

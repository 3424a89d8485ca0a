/**
 * The transport between brokers: Raft messages of every group, over one gRPC stream per broker pair.
 * The protocol (who dials, the handshake, frames, heartbeat coalescing) is described at the top of
 * `proto/eddy/v1/peer.proto`; this file is its I/O.
 *
 * Sending never blocks and never fails for a peer that is down: a message is queued for its peer
 * (bounded, dropping the oldest over the bound; see `PeerQueue`) and everything queued during one
 * event-loop turn leaves in as few frames as fit, on `setImmediate`. Writing honours the stream's
 * flow control: it stops when `write()` says the buffer is full or a frame's worth is still on its way
 * to HTTP/2, and resumes on 'drain' or the write callback. A dialed stream that breaks is redialed
 * with jittered exponential backoff; the accepting side waits for the peer to dial again.
 *
 * Incoming streams from an unknown broker are refused (and reported as a `refused` event with cause
 * `unknown-peer`, so the broker can learn of a new member and `addPeer` it; the dialer keeps retrying
 * and gets in then). Accepting unknown brokers would let anything that reaches the port inject Raft
 * messages, and the acceptor could not answer a peer it has no address for anyway.
 *
 * With TLS, streams are dialed with `credentials` (the broker's certificate, verified against the
 * cluster CA), and an accepted stream whose connection did not present a broker certificate is refused
 * at its hello (cause `certificate`) by `authorize`: whatever it claims in its hello, it is not a member.
 */
import { grpc } from "@eddy/api";
import { assert } from "@eddy/core";
import {
  FRAME_FIXED_BYTES_MAX,
  GROUP_ID_MAX,
  PEER_PROTOCOL_VERSION,
  PeerProtocolError,
  batchFrame,
  frameMessages,
  helloFrame,
  messageSizeBytes,
  type GroupMessage,
} from "./codec.js";
import {
  DEFAULT_PEER_LIMITS,
  PEER_MESSAGE_BYTES_MAX,
  peerLimitProblems,
  reconnectDelayMs,
  type PeerTransportLimits,
} from "./limits.js";
import { loadPeerProto, type PeerProto, type WirePeerFrame, type WirePeerHello } from "./proto.js";
import { PeerQueue } from "./queue.js";
import type { Message } from "./raft.js";
import { PeerStream } from "./stream.js";

export interface PeerTransportOptions {
  /** This broker's id, which is also its Raft node id in every group. */
  readonly selfId: string;
  /** Brokers of different clusters refuse each other's streams. */
  readonly clusterId: string;
  /** Every other broker: id -> gRPC address ("host:port"). */
  readonly peers: ReadonlyMap<string, string>;
  /** Each message received, in order per (peer, group). Called synchronously from a socket event: queue, don't work. */
  readonly onMessage: (from: string, groupId: number, message: Message) => void;
  /** Connections made and lost, refusals: for logs. */
  readonly onEvent?: (event: PeerEvent) => void;
  readonly limits?: Partial<PeerTransportLimits>;
  /** The jitter of redial delays; a test may pass a seeded one. */
  readonly random?: () => number;
  /** How streams to peers are dialed: plain-text HTTP/2 unless given (TLS with the broker's certificate). */
  readonly credentials?: grpc.ChannelCredentials;
  /** Checks the connection of an accepted stream; a refusal ends the stream at its hello. */
  readonly authorize?: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => StreamRefusal | undefined;
}

/** Why `authorize` turned a caller away, with the status the stream ends with. */
export interface StreamRefusal {
  readonly code: "UNAUTHENTICATED" | "PERMISSION_DENIED";
  readonly reason: string;
}

/** Why a stream was refused at its handshake. */
export type RefusalCause = "version" | "cluster" | "unknown-peer" | "direction" | "identity" | "certificate";

export type PeerEvent =
  | { readonly kind: "connected"; readonly peerId: string; readonly dialed: boolean }
  | { readonly kind: "disconnected"; readonly peerId: string; readonly reason: string }
  /** A dialed stream ended before its handshake: the peer is down, or refused us (the reason says why). */
  | { readonly kind: "dial-failed"; readonly peerId: string; readonly reason: string }
  /** This broker refused a stream: an incoming hello, or the hello of the broker it dialed, did not check out. */
  | { readonly kind: "refused"; readonly peerId: string; readonly cause: RefusalCause; readonly reason: string }
  | { readonly kind: "protocol-error"; readonly peerId: string; readonly reason: string };

interface PeerCounters {
  framesSent: number;
  framesReceived: number;
  /** Raft messages, heartbeats included (a coalesced heartbeat counts once per group). */
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Messages larger than any frame may be, dropped: a Raft size limit above the transport's. */
  messagesTooLarge: number;
  /** Handshakes completed. */
  connects: number;
  /** Dialed streams that ended before their handshake. */
  dialFailures: number;
  /** Times writing paused for the stream's 'drain'. */
  drainWaits: number;
  /** Why the last stream to this peer ended. */
  lastError: string | undefined;
}

/** One peer's figures, for metrics. Counters only grow while the peer is known. */
export interface PeerStats extends Readonly<PeerCounters> {
  readonly address: string;
  readonly connected: boolean;
  /** Handshakes after the first. */
  readonly reconnects: number;
  /** Messages dropped over `queueBytesMaxPerPeer`. */
  readonly messagesDropped: number;
  readonly queuedMessages: number;
  readonly queuedBytes: number;
}

export interface TransportStats {
  readonly peers: ReadonlyMap<string, PeerStats>;
  /** Incoming streams refused at the handshake. */
  readonly streamsRefused: number;
  /** Streams ended because the other side broke the protocol. */
  readonly protocolErrors: number;
  /** Messages for brokers that are not peers, dropped. */
  readonly messagesToUnknownPeers: number;
}

interface Peer {
  readonly id: string;
  address: string;
  /** The smaller id dials. */
  readonly dials: boolean;
  readonly queue: PeerQueue;
  readonly counters: PeerCounters;
  /** The current stream: established, or (dialing side) waiting for its handshake. */
  stream: PeerStream<Peer> | undefined;
  /** The channel a dialing side opens its streams on, kept across redials. */
  client: grpc.Client | undefined;
  redialTimer: NodeJS.Timeout | undefined;
  /** Dials in a row that did not reach a handshake, for the backoff. */
  failures: number;
  /** When a frame last arrived from the peer, and when one was last written to it (ms since the epoch). */
  lastHeardMs: number;
  lastSentMs: number;
}

type Stream = PeerStream<Peer>;
type Refusal = { readonly cause: RefusalCause; readonly reason: string; readonly code?: grpc.status };

const identity = (bytes: Buffer): Buffer => bytes;

export class PeerTransport {
  readonly selfId: string;
  readonly clusterId: string;
  readonly limits: PeerTransportLimits;
  private readonly proto: PeerProto = loadPeerProto();
  private readonly peers = new Map<string, Peer>();
  /** Accepted streams whose hello has not come yet. */
  private readonly unidentified = new Set<Stream>();
  private readonly dirtyPeers = new Set<Peer>();
  private flushImmediate: NodeJS.Immediate | undefined;
  private readonly channelOptions: grpc.ChannelOptions;
  /** Accepted streams whose connection `authorize` refused: they are ended at their hello. */
  private readonly uncertified = new WeakMap<Stream, StreamRefusal>();
  private streamsRefused = 0;
  private protocolErrors = 0;
  private messagesToUnknownPeers = 0;
  private closed = false;

  constructor(private readonly options: PeerTransportOptions) {
    this.selfId = options.selfId;
    this.clusterId = options.clusterId;
    this.limits = { ...DEFAULT_PEER_LIMITS, ...options.limits };
    const problems = peerLimitProblems(this.limits);
    if (problems.length > 0) throw new Error(`invalid peer transport limits:\n  ${problems.join("\n  ")}`);
    this.channelOptions = channelOptions(this.limits);
    for (const [id, address] of options.peers) this.addPeer(id, address);
  }

  /** Registers the Peer service on the broker's gRPC server (clients and peers share its port). */
  addToServer(server: grpc.Server): void {
    server.addService(this.proto.rawService, {
      Exchange: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => this.accept(call),
    });
  }

  /** Queues `message` of group `groupId` for broker `to`. Never blocks; never throws for a peer that is down. */
  send(to: string, groupId: number, message: Message): void {
    if (this.closed) return;
    assert(
      message.from === this.selfId && message.to === to,
      `${message.type} ${message.from}->${message.to} sent to ${to} by ${this.selfId}: Raft node ids must be broker ids`,
    );
    assert(Number.isInteger(groupId) && groupId >= 0 && groupId <= GROUP_ID_MAX, `group id ${groupId} is not a uint32`);
    const peer = this.peers.get(to);
    if (peer === undefined) {
      this.messagesToUnknownPeers += 1;
    } else if (messageSizeBytes(message) + FRAME_FIXED_BYTES_MAX > PEER_MESSAGE_BYTES_MAX) {
      peer.counters.messagesTooLarge += 1;
    } else {
      peer.queue.push({ groupId, message });
      this.scheduleFlush(peer);
    }
  }

  /** Adds a peer, or moves it to a new address. The smaller id of the two dials. */
  addPeer(id: string, address: string): void {
    assert(id !== this.selfId, `broker ${id} cannot be its own peer`);
    if (this.closed) return;
    const existing = this.peers.get(id);
    if (existing === undefined) {
      const peer = newPeer(id, address, this.selfId < id, this.limits.queueBytesMaxPerPeer);
      this.peers.set(id, peer);
      if (peer.dials) this.dial(peer);
    } else if (existing.address !== address) {
      this.readdress(existing, address);
    }
  }

  /** Forgets a peer: ends its stream and drops what was queued for it. */
  removePeer(id: string): void {
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    this.peers.delete(id);
    this.dirtyPeers.delete(peer);
    clearTimeout(peer.redialTimer);
    if (peer.stream !== undefined) this.endStream(peer.stream, "peer removed");
    peer.client?.close();
    peer.queue.clear();
  }

  /**
   * Sends an empty frame to every connected peer that was sent nothing for `intervalMs`, so that each
   * side hears from the other even when every group between them is quiet: `lastHeardMs` is then a
   * failure detector that a frozen peer (whose TCP connection stays open) cannot fool.
   */
  keepalive(nowMs: number, intervalMs: number): void {
    for (const peer of this.peers.values()) {
      const stream = peer.stream;
      if (stream?.established !== true || nowMs - peer.lastSentMs < intervalMs || !peer.queue.isEmpty()) continue;
      if (stream.canWrite(this.limits.frameBytesMax)) this.writeFrame(stream, batchFrame([]), 0);
    }
  }

  /** When a frame last arrived from `peerId` (0: never, or not a peer). */
  lastHeardMs(peerId: string): number {
    return this.peers.get(peerId)?.lastHeardMs ?? 0;
  }

  /** Whether `peerId` has an established stream: what routing asks on every call, so no list is built. */
  isConnected(peerId: string): boolean {
    return this.peers.get(peerId)?.stream?.established === true;
  }

  /** Peers with an established stream. */
  connectedPeers(): string[] {
    return [...this.peers.values()].filter((peer) => peer.stream?.established === true).map((peer) => peer.id);
  }

  stats(): TransportStats {
    const peers = new Map([...this.peers.values()].map((peer) => [peer.id, peerStats(peer)] as const));
    const { streamsRefused, protocolErrors, messagesToUnknownPeers } = this;
    return { peers, streamsRefused, protocolErrors, messagesToUnknownPeers };
  }

  /**
   * Ends every stream, stops every timer and channel, and drops what was queued: Raft keeps its state on
   * disk and re-sends after a restart. Streams the peers open later are refused.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.flushImmediate !== undefined) clearImmediate(this.flushImmediate);
    this.flushImmediate = undefined;
    for (const id of [...this.peers.keys()]) this.removePeer(id);
    for (const stream of [...this.unidentified]) this.endStream(stream, "transport closed");
  }

  // ---- Dialing side ----

  private dial(peer: Peer): void {
    peer.redialTimer = undefined;
    peer.client ??= new grpc.Client(
      peer.address,
      this.options.credentials ?? grpc.credentials.createInsecure(),
      this.channelOptions,
    );
    const call = peer.client.makeBidiStreamRequest<Buffer, Buffer>(this.proto.exchangePath, identity, identity);
    const stream: Stream = new PeerStream(call, true, { end: () => call.cancel(), fail: () => call.cancel() });
    stream.peer = peer;
    peer.stream = stream;
    this.listen(stream);
    // Every error is followed by 'status', which says the same; this listener only keeps it from being thrown.
    call.on("error", () => {});
    call.on("status", (status: grpc.StatusObject) =>
      this.onEnded(stream, `${grpc.status[status.code]}: ${status.details}`),
    );
    this.writeFrame(stream, helloFrame(this.clusterId, this.selfId), 0);
  }

  private scheduleRedial(peer: Peer): void {
    if (this.closed || this.peers.get(peer.id) !== peer || peer.redialTimer !== undefined) return;
    const delayMs = reconnectDelayMs(peer.failures, this.limits, this.options.random ?? Math.random);
    peer.failures += 1;
    peer.redialTimer = setTimeout(() => this.dial(peer), delayMs);
  }

  private readdress(peer: Peer, address: string): void {
    peer.address = address;
    if (!peer.dials) return;
    peer.client?.close();
    peer.client = undefined;
    // Ending the stream schedules a redial, which opens a channel to the new address.
    if (peer.stream !== undefined) this.endStream(peer.stream, `moved to ${address}`);
  }

  // ---- Accepting side ----

  private accept(call: grpc.ServerDuplexStream<Buffer, Buffer>): void {
    const stream: Stream = new PeerStream(call, false, {
      end: () => {
        if (!call.destroyed && !call.writableEnded) call.end();
      },
      // grpc-js answers an 'error' on a server stream with that status.
      fail: (code, details) => call.emit("error", Object.assign(new Error(details), { code, details })),
    });
    if (this.closed) return stream.fail(grpc.status.UNAVAILABLE, "the broker's peer transport is closed");
    const refusal = this.options.authorize?.(call);
    if (refusal !== undefined) this.uncertified.set(stream, refusal);
    this.unidentified.add(stream);
    this.listen(stream);
    call.on("error", (error: Error) => this.onEnded(stream, error.message));
    call.on("cancelled", () => this.onEnded(stream, "cancelled by the peer"));
    call.on("end", () => this.onEnded(stream, "ended by the peer"));
    call.on("close", () => this.onEnded(stream, "closed"));
  }

  /** Makes an accepted stream the peer's, replacing an older one: the peer only dials again when it lost that. */
  private adopt(stream: Stream, peer: Peer): void {
    this.unidentified.delete(stream);
    const previous = peer.stream;
    stream.peer = peer;
    peer.stream = stream;
    if (previous !== undefined) this.endStream(previous, "replaced by a newer stream from the peer");
    this.writeFrame(stream, helloFrame(this.clusterId, this.selfId), 0);
  }

  // ---- Both sides ----

  private listen(stream: Stream): void {
    stream.duplex.on("data", (bytes: Buffer) => this.onFrame(stream, bytes));
    stream.duplex.on("drain", () => {
      stream.waitingDrain = false;
      this.resume(stream);
    });
  }

  private onFrame(stream: Stream, bytes: Buffer): void {
    // A stream that ended before its handshake is done with; an established one may still hand over
    // frames that arrived just before its end, and those are as good as any.
    if (stream.closed && !stream.established) return;
    let frame: WirePeerFrame;
    try {
      frame = this.proto.decodeFrame(bytes);
    } catch (error) {
      return this.protocolError(stream, `undecodable frame: ${(error as Error).message}`);
    }
    if (!stream.established) {
      // Frames before a valid hello are ignored.
      if (frame.hello !== null) this.onHello(stream, frame.hello);
      return;
    }
    this.deliver(stream, stream.peer!, frame, bytes.byteLength);
  }

  private onHello(stream: Stream, hello: WirePeerHello): void {
    const refusal = this.checkHello(stream, hello);
    if (refusal !== undefined) return this.refuse(stream, stream.peer?.id ?? hello.broker_id, refusal);
    if (!stream.dialed) this.adopt(stream, this.peers.get(hello.broker_id)!);
    const peer = stream.peer!;
    stream.established = true;
    peer.failures = 0;
    peer.counters.connects += 1;
    peer.lastHeardMs = Date.now();
    this.emit({ kind: "connected", peerId: peer.id, dialed: stream.dialed });
    this.flush(peer);
  }

  private checkHello(stream: Stream, hello: WirePeerHello): Refusal | undefined {
    const id = hello.broker_id;
    // Before anything the hello claims: without a broker certificate it proves nothing.
    const uncertified = this.uncertified.get(stream);
    if (uncertified !== undefined)
      return { cause: "certificate", reason: uncertified.reason, code: grpc.status[uncertified.code] };
    if (hello.protocol_version !== PEER_PROTOCOL_VERSION) {
      return {
        cause: "version",
        reason: `protocol version ${hello.protocol_version}, expected ${PEER_PROTOCOL_VERSION}`,
      };
    }
    if (hello.cluster_id !== this.clusterId) {
      return { cause: "cluster", reason: `cluster id "${hello.cluster_id}", expected "${this.clusterId}"` };
    }
    if (stream.dialed) {
      const peer = stream.peer!;
      if (id === peer.id) return undefined;
      return { cause: "identity", reason: `${peer.address} is broker "${id}", expected "${peer.id}"` };
    }
    if (!this.peers.has(id))
      return { cause: "unknown-peer", reason: `broker "${id}" is not a peer of "${this.selfId}"` };
    if (!(id < this.selfId))
      return { cause: "direction", reason: `"${id}" dialed "${this.selfId}": the smaller id dials` };
    return undefined;
  }

  private refuse(stream: Stream, peerId: string, refusal: Refusal): void {
    if (!stream.dialed) this.streamsRefused += 1;
    this.emit({ kind: "refused", peerId, cause: refusal.cause, reason: refusal.reason });
    const details = `peer stream refused (${refusal.cause}): ${refusal.reason}`;
    stream.fail(refusal.code ?? grpc.status.FAILED_PRECONDITION, details);
    this.onEnded(stream, details);
  }

  private deliver(stream: Stream, peer: Peer, frame: WirePeerFrame, byteLength: number): void {
    if (this.peers.get(peer.id) !== peer) return;
    let messages: GroupMessage[];
    try {
      messages = frameMessages(frame, peer.id, this.selfId);
    } catch (error) {
      if (!(error instanceof PeerProtocolError)) throw error;
      return this.protocolError(stream, error.message);
    }
    peer.lastHeardMs = Date.now();
    peer.counters.framesReceived += 1;
    peer.counters.bytesReceived += byteLength;
    peer.counters.messagesReceived += messages.length;
    for (const { groupId, message } of messages) this.options.onMessage(peer.id, groupId, message);
  }

  private protocolError(stream: Stream, reason: string): void {
    this.protocolErrors += 1;
    this.emit({ kind: "protocol-error", peerId: stream.peer?.id ?? "(unidentified)", reason });
    stream.fail(grpc.status.INVALID_ARGUMENT, `peer protocol error: ${reason}`);
    this.onEnded(stream, reason);
  }

  private endStream(stream: Stream, reason: string): void {
    stream.end();
    this.onEnded(stream, reason);
  }

  /** A stream ended, whichever side ended it: the peer has no stream until the dialer dials again. */
  private onEnded(stream: Stream, reason: string): void {
    if (stream.closed) return;
    stream.closed = true;
    stream.end();
    this.unidentified.delete(stream);
    const peer = stream.peer;
    if (peer === undefined || peer.stream !== stream) return;
    peer.stream = undefined;
    peer.counters.lastError = reason;
    if (stream.established) {
      this.emit({ kind: "disconnected", peerId: peer.id, reason });
    } else if (stream.dialed) {
      peer.counters.dialFailures += 1;
      this.emit({ kind: "dial-failed", peerId: peer.id, reason });
    }
    if (stream.dialed) this.scheduleRedial(peer);
  }

  // ---- Writing ----

  /**
   * Flushes on the next turn of the event loop rather than on a microtask: the Raft loop may hand out
   * messages across several awaits of one turn, and they should share frames.
   */
  private scheduleFlush(peer: Peer): void {
    this.dirtyPeers.add(peer);
    this.flushImmediate ??= setImmediate(() => this.flushDirty());
  }

  private flushDirty(): void {
    this.flushImmediate = undefined;
    const peers = [...this.dirtyPeers];
    this.dirtyPeers.clear();
    for (const peer of peers) this.flush(peer);
  }

  private flush(peer: Peer): void {
    const stream = peer.stream;
    if (stream === undefined) return;
    while (stream.canWrite(this.limits.frameBytesMax) && !peer.queue.isEmpty()) {
      const batch = peer.queue.take(this.limits.frameBytesMax);
      this.writeFrame(stream, batchFrame(batch), batch.length);
    }
  }

  private writeFrame(stream: Stream, frame: WirePeerFrame, messageCount: number): void {
    const bytes = this.proto.encodeFrame(frame);
    const counters = stream.peer!.counters;
    stream.peer!.lastSentMs = Date.now();
    counters.framesSent += 1;
    counters.messagesSent += messageCount;
    counters.bytesSent += bytes.byteLength;
    stream.unflushedBytes += bytes.byteLength;
    const more = stream.duplex.write(bytes, () => {
      stream.unflushedBytes -= bytes.byteLength;
      this.resume(stream);
    });
    if (!more) {
      stream.waitingDrain = true;
      counters.drainWaits += 1;
    }
  }

  private resume(stream: Stream): void {
    const peer = stream.peer;
    if (peer !== undefined && peer.stream === stream && !this.closed) this.flush(peer);
  }

  private emit(event: PeerEvent): void {
    if (!this.closed) this.options.onEvent?.(event);
  }
}

function newPeer(id: string, address: string, dials: boolean, queueBytesMax: number): Peer {
  const counters: PeerCounters = {
    framesSent: 0,
    framesReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    messagesTooLarge: 0,
    connects: 0,
    dialFailures: 0,
    drainWaits: 0,
    lastError: undefined,
  };
  const queue = new PeerQueue(queueBytesMax);
  return {
    id,
    address,
    dials,
    queue,
    counters,
    stream: undefined,
    client: undefined,
    redialTimer: undefined,
    failures: 0,
    lastHeardMs: 0,
    lastSentMs: 0,
  };
}

function peerStats(peer: Peer): PeerStats {
  return {
    ...peer.counters,
    address: peer.address,
    connected: peer.stream?.established === true,
    reconnects: Math.max(0, peer.counters.connects - 1),
    messagesDropped: peer.queue.droppedCount,
    queuedMessages: peer.queue.queuedCount,
    queuedBytes: peer.queue.queuedBytes,
  };
}

/** The dialing side's channel: the broker's message limits, our own backoff, and keepalive pings. */
function channelOptions(limits: PeerTransportLimits): grpc.ChannelOptions {
  return {
    "grpc.max_receive_message_length": PEER_MESSAGE_BYTES_MAX,
    "grpc.max_send_message_length": PEER_MESSAGE_BYTES_MAX,
    // The channel reconnects at the transport's pace, so a redial does not wait out grpc's own 120 s backoff.
    "grpc.initial_reconnect_backoff_ms": limits.reconnectBackoffMsMin,
    "grpc.max_reconnect_backoff_ms": limits.reconnectBackoffMsMax,
    "grpc.keepalive_time_ms": limits.keepaliveIntervalMs,
    "grpc.keepalive_timeout_ms": limits.keepaliveTimeoutMs,
    "grpc.keepalive_permit_without_calls": 1,
    // The transport redials itself; grpc-js retries would also buffer written frames, hiding backpressure.
    "grpc.enable_retries": 0,
    // A channel of its own, so closing it closes its connection (the global pool keeps them for reuse).
    "grpc.use_local_subchannel_pool": 1,
    // Nothing reads channelz; its trackers would cost every frame.
    "grpc.enable_channelz": 0,
  };
}

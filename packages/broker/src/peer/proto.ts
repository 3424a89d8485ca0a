/**
 * Loading `eddy/v1/peer.proto` and the shapes of its messages as the loader reads and writes them.
 *
 * The gRPC method itself moves raw bytes (identity serializers): the transport encodes and decodes
 * frames here, so it knows each frame's exact size for its limits and statistics, and a frame that
 * fails to decode is the transport's to handle rather than an INTERNAL error inside grpc-js.
 *
 * The shapes follow `PROTO_LOADER_OPTIONS`: snake_case keys, 64-bit integers read as decimal strings
 * (written as numbers or strings), bytes as Buffers, scalars always present on reading, unset message
 * fields `null`, and the name of the set member of a oneof in a virtual field (`body`).
 */
import * as protoLoader from "@grpc/proto-loader";
import { PROTO_LOADER_OPTIONS, PROTO_ROOT, type grpc } from "@eddy/api";

/** The Peer service's file, relative to `PROTO_ROOT`. */
export const PEER_PROTO_FILE = "eddy/v1/peer.proto";

/** A 64-bit integer: written as a number, read as a decimal string (`longs: String`). */
export type WireLong = number | string;

export interface WirePeerHello {
  readonly cluster_id: string;
  readonly broker_id: string;
  readonly protocol_version: number;
}

export interface WireEntry {
  readonly index: WireLong;
  readonly term: WireLong;
  readonly type: number;
  readonly timestamp_ms: WireLong;
  readonly data: Uint8Array;
}

export interface WireAppend {
  readonly prev_index: WireLong;
  readonly prev_term: WireLong;
  readonly entries: readonly WireEntry[];
  readonly commit_index: WireLong;
}

export interface WireAppendResponse {
  readonly reject: boolean;
  readonly index: WireLong;
  readonly reject_hint_index: WireLong;
  readonly reject_hint_term: WireLong;
}

export interface WireVote {
  readonly last_index: WireLong;
  readonly last_term: WireLong;
  readonly transfer: boolean;
}

export interface WirePreVote {
  readonly last_index: WireLong;
  readonly last_term: WireLong;
}

export interface WireVoteResponse {
  readonly reject: boolean;
}

export interface WireConfState {
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

export interface WireSnapshotMeta {
  readonly index: WireLong;
  readonly term: WireLong;
  readonly conf: WireConfState | null;
}

export interface WireSnapshot {
  readonly meta: WireSnapshotMeta | null;
  readonly data: Uint8Array;
}

/** The members of RaftMessage's `body` oneof, and the type each holds. */
export interface WireRaftBodies {
  readonly append: WireAppend;
  readonly append_response: WireAppendResponse;
  readonly vote: WireVote;
  readonly vote_response: WireVoteResponse;
  readonly pre_vote: WirePreVote;
  readonly pre_vote_response: WireVoteResponse;
  readonly snapshot: WireSnapshot;
  readonly timeout_now: Record<string, never>;
}

export type WireRaftBody = keyof WireRaftBodies;

/** A RaftMessage: its term and exactly one member of `body`; on reading, `body` names that member. */
export type WireRaftMessage = { readonly term: WireLong; readonly body?: WireRaftBody } & {
  readonly [K in WireRaftBody]?: WireRaftBodies[K] | null;
};

export interface WireGroupMessage {
  readonly group_id: number;
  readonly message: WireRaftMessage | null;
}

export interface WireGroupHeartbeat {
  readonly group_id: number;
  readonly term: WireLong;
  readonly commit_index: WireLong;
  readonly quiesce?: boolean;
}

export interface WireGroupHeartbeatResponse {
  readonly group_id: number;
  readonly term: WireLong;
}

export interface WireHeartbeatBatch {
  readonly heartbeats: readonly WireGroupHeartbeat[];
  readonly responses: readonly WireGroupHeartbeatResponse[];
}

export interface WirePeerFrame {
  readonly hello: WirePeerHello | null;
  readonly messages: readonly WireGroupMessage[];
  readonly heartbeats: WireHeartbeatBatch | null;
}

/** The parts of peer.proto the transport uses. */
export interface PeerProto {
  /** `/eddy.v1.Peer/Exchange`, the one method. */
  readonly exchangePath: string;
  /** The Peer service with identity serializers: pass to `server.addService`; calls move Buffers. */
  readonly rawService: grpc.ServiceDefinition;
  encodeFrame(frame: WirePeerFrame): Buffer;
  /** Throws when the bytes are not a PeerFrame. */
  decodeFrame(bytes: Buffer): WirePeerFrame;
}

let cached: PeerProto | undefined;

/** Loads `eddy/v1/peer.proto` once per process, the way `@eddy/api` loads streams.proto. */
export function loadPeerProto(): PeerProto {
  cached ??= buildPeerProto();
  return cached;
}

function buildPeerProto(): PeerProto {
  const definition = protoLoader.loadSync(PEER_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const service = definition["eddy.v1.Peer"] as protoLoader.ServiceDefinition;
  const exchange = service["Exchange"];
  if (exchange === undefined) throw new Error(`${PEER_PROTO_FILE} has no Peer.Exchange`);
  const identity = (bytes: Buffer): Buffer => bytes;
  const rawExchange = {
    ...exchange,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
  return {
    exchangePath: exchange.path,
    rawService: { Exchange: rawExchange } as unknown as grpc.ServiceDefinition,
    encodeFrame: (frame) => asBuffer(exchange.requestSerialize(frame)),
    decodeFrame: (bytes) => exchange.requestDeserialize(bytes) as WirePeerFrame,
  };
}

/** protobufjs hands back a Buffer on Node; a view over the same memory covers any other Uint8Array. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export {
  PeerTransport,
  type PeerTransportOptions,
  type PeerEvent,
  type RefusalCause,
  type PeerStats,
  type TransportStats,
} from "./transport.js";
export { DEFAULT_PEER_LIMITS, PEER_MESSAGE_BYTES_MAX, peerLimitProblems, type PeerTransportLimits } from "./limits.js";
export { PEER_PROTOCOL_VERSION, PeerProtocolError, type GroupMessage } from "./codec.js";
export { PEER_PROTO_FILE, loadPeerProto } from "./proto.js";

/**
 * The peer transport's limits, named in one place and checked together, like the broker's config.
 */
import { GRPC_MESSAGE_BYTES_MAX } from "@eddy/api";

export interface PeerTransportLimits {
  /**
   * Bytes of messages waiting for one peer (as `messageSizeBytes` counts them). Beyond it the oldest
   * messages other than heartbeats are dropped: Raft retransmits what was lost, and a peer that is down
   * or slow must not make the broker's memory grow. Heartbeats are not counted and never dropped; there
   * is at most one of each kind per group, since later ones replace earlier ones.
   */
  readonly queueBytesMaxPerPeer: number;
  /**
   * Bytes a frame may carry. Messages queued in one turn are packed into frames up to this size; a
   * message larger than it goes alone. It is also how many bytes may sit written but not yet taken by
   * HTTP/2, so a peer costs at most about queueBytesMaxPerPeer + 2 * frameBytesMax of memory.
   */
  readonly frameBytesMax: number;
  /** First delay before redialing a broken or refused stream; it doubles per failure up to the max. */
  readonly reconnectBackoffMsMin: number;
  readonly reconnectBackoffMsMax: number;
  /** HTTP/2 pings on a dialed stream this often find a peer that vanished without closing its connection. */
  readonly keepaliveIntervalMs: number;
  /** A ping unanswered this long closes the connection. */
  readonly keepaliveTimeoutMs: number;
}

export const DEFAULT_PEER_LIMITS: PeerTransportLimits = {
  queueBytesMaxPerPeer: 64 * 1024 * 1024,
  frameBytesMax: 4 * 1024 * 1024,
  reconnectBackoffMsMin: 50,
  reconnectBackoffMsMax: 5_000,
  keepaliveIntervalMs: 10_000,
  keepaliveTimeoutMs: 5_000,
};

/**
 * The largest message the transport sends, bytes: what the broker's gRPC server accepts (it serves
 * clients and peers on one port with one receive limit). Larger messages are dropped and counted; a
 * Raft configuration that produces them is wrong.
 */
export const PEER_MESSAGE_BYTES_MAX = GRPC_MESSAGE_BYTES_MAX;

/** Checks each limit and how they relate; empty when sound. */
export function peerLimitProblems(limits: PeerTransportLimits): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name} must be a positive integer, got ${value}`);
  }
  if (limits.reconnectBackoffMsMin > limits.reconnectBackoffMsMax) {
    problems.push(
      `reconnectBackoffMsMin (${limits.reconnectBackoffMsMin}) must be <= reconnectBackoffMsMax (${limits.reconnectBackoffMsMax})`,
    );
  }
  // A frame the receiving server refuses would break the stream, and the same frame would follow the redial.
  if (limits.frameBytesMax > PEER_MESSAGE_BYTES_MAX) {
    problems.push(
      `frameBytesMax (${limits.frameBytesMax}) must be <= ${PEER_MESSAGE_BYTES_MAX}, the gRPC message limit`,
    );
  }
  return problems;
}

/**
 * The delay before redial number `failures` (0 for the first after a success): exponential from the
 * min to the max, then jittered to between half and all of it, so that brokers restarting together
 * do not redial in lockstep.
 */
export function reconnectDelayMs(failures: number, limits: PeerTransportLimits, random: () => number): number {
  const ceilingMs = Math.min(limits.reconnectBackoffMsMax, limits.reconnectBackoffMsMin * 2 ** Math.min(failures, 30));
  return Math.round(ceilingMs / 2 + (random() * ceilingMs) / 2);
}

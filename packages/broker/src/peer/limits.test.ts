import { describe, expect, it } from "vitest";
import { DEFAULT_PEER_LIMITS, PEER_MESSAGE_BYTES_MAX, peerLimitProblems, reconnectDelayMs } from "./limits.js";

describe("peer transport limits", () => {
  it("the defaults are sound", () => {
    expect(peerLimitProblems(DEFAULT_PEER_LIMITS)).toEqual([]);
  });

  it("names each limit that is wrong, and each relation that does not hold", () => {
    const problems = peerLimitProblems({
      ...DEFAULT_PEER_LIMITS,
      queueBytesMaxPerPeer: 0,
      reconnectBackoffMsMin: 10_000,
      reconnectBackoffMsMax: 1_000,
      frameBytesMax: PEER_MESSAGE_BYTES_MAX + 1,
    });
    expect(problems).toEqual([
      "queueBytesMaxPerPeer must be a positive integer, got 0",
      "reconnectBackoffMsMin (10000) must be <= reconnectBackoffMsMax (1000)",
      `frameBytesMax (${PEER_MESSAGE_BYTES_MAX + 1}) must be <= ${PEER_MESSAGE_BYTES_MAX}, the gRPC message limit`,
    ]);
  });

  it("redial delays double from the min to the max, jittered between half and all of it", () => {
    const limits = { ...DEFAULT_PEER_LIMITS, reconnectBackoffMsMin: 100, reconnectBackoffMsMax: 1_000 };
    const ceilings = [0, 1, 2, 3, 4, 50].map((failures) => reconnectDelayMs(failures, limits, () => 1));
    expect(ceilings).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    const floors = [0, 1, 2, 3, 4, 50].map((failures) => reconnectDelayMs(failures, limits, () => 0));
    expect(floors).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

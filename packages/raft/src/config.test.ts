/** RaftConfig: defaults, and every unusable value reported with its field and limit. */
import { describe, expect, it } from "vitest";

import { RAFT_CONFIG_DEFAULTS, raftConfigProblems, resolveRaftConfig } from "./config.js";
import { RawNode } from "./raw-node.js";
import { initialState } from "./types.js";

describe("RaftConfig", () => {
  it("fills in the defaults: pre-vote and checkQuorum on, ten ticks to an election, a heartbeat every tick", () => {
    expect(resolveRaftConfig({ id: "a", maxInflightMessages: undefined })).toEqual({
      id: "a",
      ...RAFT_CONFIG_DEFAULTS,
    });
    expect(RAFT_CONFIG_DEFAULTS).toMatchObject({
      preVote: true,
      checkQuorum: true,
      electionTimeoutTicks: 10,
      heartbeatIntervalTicks: 1,
    });
  });

  it("names the field and the limit of every problem, including how limits relate", () => {
    expect(
      raftConfigProblems({
        id: "",
        electionTimeoutTicks: 3,
        heartbeatIntervalTicks: 3,
        maxInflightMessages: 0,
        maxEntriesBytesPerMessage: 1024,
        maxUncommittedEntriesBytes: 100,
        maxInMemoryLogBytes: 1.5,
      }),
    ).toEqual([
      "id must not be empty",
      "maxInflightMessages must be an integer >= 1, got 0",
      "maxUncommittedEntriesBytes must be an integer >= 1024, got 100",
      "maxInMemoryLogBytes must be an integer >= 1024, got 1.5",
      "heartbeatIntervalTicks (3) must be below electionTimeoutTicks (3)",
    ]);
  });

  it("a node is not built from an unusable configuration", () => {
    const state = initialState({ voters: ["a"], learners: [] });
    expect(() => new RawNode({ id: "a", electionTimeoutTicks: 1 }, state, () => 0)).toThrow(
      /electionTimeoutTicks must be an integer >= 2/,
    );
  });
});

import { describe, expect, it } from "vitest";
import type { ResumePosition } from "@eddy/core";
import type { ResumePosition__Output } from "./messages.js";
import { resumePositionFromWire, resumePositionToWire } from "./positions.js";

describe("resume positions on the wire", () => {
  it("round-trips every kind of position", () => {
    const positions: ResumePosition[] = [
      { type: "TRIM_HORIZON" },
      { type: "LATEST" },
      { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "33554432" },
      { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "33554433" },
      { type: "AT_TIMESTAMP", timestampMs: 1_795_686_775_868 },
      { type: "SHARD_END" },
    ];
    for (const position of positions) {
      const sent = resumePositionToWire(position);
      // What the receiving side's loader gives (every field set, int64 as a string).
      const received: ResumePosition__Output = {
        type: String(sent.type),
        sequence_number: sent.sequence_number ?? "",
        timestamp: String(sent.timestamp ?? "0"),
      };
      expect(resumePositionFromWire(received)).toEqual(position);
    }
  });

  it("reads the timestamp with the reader it is given, and a missing message as an empty type", () => {
    const seen: string[] = [];
    const position = resumePositionFromWire(
      { type: "AT_TIMESTAMP", sequence_number: "", timestamp: "12" },
      (value) => (seen.push(value), 7),
    );
    expect(position).toEqual({ type: "AT_TIMESTAMP", timestampMs: 7 });
    expect(seen).toEqual(["12"]);
    expect(resumePositionFromWire(null)).toEqual({ type: "" });
  });
});

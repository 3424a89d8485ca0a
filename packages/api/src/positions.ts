/**
 * A consumer application's resume position on the wire, both ways: the broker and the SDK send and
 * read the same message.
 */
import type { ResumePosition, ResumeType } from "@eddy/core";
import type { ResumePosition as WireResumePosition, ResumePosition__Output } from "./messages.js";

export function resumePositionToWire(position: ResumePosition): WireResumePosition {
  return {
    type: position.type,
    sequence_number: position.sequenceNumber ?? "",
    timestamp: String(position.timestampMs ?? 0),
  };
}

/**
 * `timestampMsOf` reads the int64 timestamp (a string on the wire); the SDK's refuses one that is not
 * a safe integer. A missing message reads as an empty position, which validation then refuses.
 */
export function resumePositionFromWire(
  message: ResumePosition__Output | null | undefined,
  timestampMsOf: (value: string) => number = Number,
): ResumePosition {
  const type = (message?.type ?? "") as ResumeType;
  return {
    type,
    ...(message?.sequence_number ? { sequenceNumber: message.sequence_number } : {}),
    ...(type === "AT_TIMESTAMP" ? { timestampMs: timestampMsOf(message?.timestamp ?? "0") } : {}),
  };
}

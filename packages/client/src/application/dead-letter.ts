/**
 * A record that failed every attempt, as it goes to the dead-letter stream: a JSON envelope with the
 * error, the attempt count and where it came from, and the original data in base64. It keeps the
 * original partition key, so the dead letters of one key stay in order.
 */
import type { PutRecordsEntry, StreamRecord } from "../types.js";

export interface DeadLetter {
  readonly error: { readonly name: string; readonly message: string };
  readonly attempts: number;
  readonly application: string;
  readonly streamName: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly approximateArrivalTimestamp: string;
  /** The record's data, base64. */
  readonly data: string;
}

export function deadLetterEntry(
  record: StreamRecord,
  origin: { error: unknown; attempts: number; streamName: string; shardId: string; applicationName: string },
): PutRecordsEntry {
  const error =
    origin.error instanceof Error
      ? { name: origin.error.name, message: origin.error.message }
      : { name: "Error", message: String(origin.error) };
  const letter: DeadLetter = {
    error,
    attempts: origin.attempts,
    application: origin.applicationName,
    streamName: origin.streamName,
    shardId: origin.shardId,
    sequenceNumber: record.sequenceNumber,
    partitionKey: record.partitionKey,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp.toISOString(),
    data: record.data.toString("base64"),
  };
  return { partitionKey: record.partitionKey, data: Buffer.from(JSON.stringify(letter)) };
}

/** Reads a dead letter back (for tools that drain the dead-letter stream). */
export function parseDeadLetter(data: Uint8Array): DeadLetter {
  return JSON.parse(Buffer.from(data).toString("utf8")) as DeadLetter;
}

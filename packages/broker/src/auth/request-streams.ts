/**
 * The streams a request names, as each front door's handlers read them, so that authorization checks
 * exactly what the operation will touch. A request may name a stream several ways (StreamName,
 * StreamARN, ConsumerARN); every one named is checked. None named: undefined (the action is then
 * needed on `*`).
 */
import { parseConsumerArn, streamNameOfArn, streamNameOfIterator } from "@eddy/core";

/** A gRPC request: its `stream_name`, or for GetRecords the stream inside the shard iterator. */
export function streamsOfGrpcRequest(operation: string, request: unknown): string[] | undefined {
  const fields = (typeof request === "object" && request !== null ? request : {}) as Record<string, unknown>;
  if (operation === "GetRecords") {
    const name =
      typeof fields["shard_iterator"] === "string" ? streamNameOfIterator(fields["shard_iterator"]) : undefined;
    return name === undefined ? undefined : [name];
  }
  const name = fields["stream_name"];
  return typeof name === "string" && name !== "" ? [name] : undefined;
}

/** A Kinesis request's StreamName, StreamARN, ConsumerARN, or ShardIterator (GetRecords). */
export function streamsOfKinesisRequest(operation: string, input: Record<string, unknown>): string[] | undefined {
  const names = new Set<string>();
  const { StreamName, StreamARN, ConsumerARN, ShardIterator } = input;
  if (typeof StreamName === "string" && StreamName !== "") names.add(StreamName);
  if (typeof StreamARN === "string") {
    const name = quietly(() => streamNameOfArn(StreamARN));
    if (name !== undefined) names.add(name);
  }
  if (typeof ConsumerARN === "string") {
    const name = quietly(() => parseConsumerArn(ConsumerARN).streamName);
    if (name !== undefined) names.add(name);
  }
  if (operation === "GetRecords" && typeof ShardIterator === "string") {
    const name = streamNameOfIterator(ShardIterator);
    if (name !== undefined) names.add(name);
  }
  return names.size === 0 ? undefined : [...names];
}

/** A malformed ARN names no stream here; the operation itself then refuses it with its validation error. */
function quietly(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

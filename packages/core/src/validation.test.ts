import { describe, expect, it } from "vitest";
import { KinesisError } from "./errors.js";
import { LIMITS } from "./limits.js";
import {
  validateGetRecordsLimit,
  validateListLimit,
  validateMaxRecordSize,
  validatePartitionKey,
  validatePutRecordsRequest,
  validateRecordData,
  validateRetentionHours,
  validateShardCount,
  validateShardIdFormat,
  validateStreamName,
} from "./validation.js";

const MiB = 1024 * 1024;
/** "😀" is one Unicode character but two UTF-16 units and four UTF-8 bytes. */
const EMOJI = "\u{1F600}";

interface Row {
  readonly what: string;
  readonly call: () => unknown;
  /** For a rejected input: the field and the limit the message must name. */
  readonly rejects?: { readonly field: string; readonly limit: string };
}

const accept = (what: string, call: () => unknown): Row => ({ what, call });
const reject = (what: string, field: string, limit: string, call: () => unknown): Row => ({
  what,
  call,
  rejects: { field, limit },
});

const rows: Row[] = [
  accept("stream name of 1 char", () => validateStreamName("a")),
  accept("stream name of 128 chars from the whole alphabet", () =>
    validateStreamName("aZ09_.-".repeat(19).slice(0, 128)),
  ),
  reject("empty stream name", "StreamName", "greater than or equal to 1", () => validateStreamName("")),
  reject("stream name of 129 chars", "StreamName", "less than or equal to 128", () =>
    validateStreamName("a".repeat(129)),
  ),
  reject("stream name with a space", "StreamName", "[a-zA-Z0-9_.-]+", () => validateStreamName("my stream")),
  reject("stream name with a slash", "StreamName", "[a-zA-Z0-9_.-]+", () => validateStreamName("a/b")),
  reject("another field name is used", "StreamARN", "less than or equal to 128", () =>
    validateStreamName("a".repeat(129), "StreamARN"),
  ),

  accept("partition key of 1 char", () => validatePartitionKey("k")),
  accept("partition key of 256 chars", () => validatePartitionKey("k".repeat(256))),
  accept("partition key of 256 astral chars (512 UTF-16 units)", () => validatePartitionKey(EMOJI.repeat(256))),
  reject("empty partition key", "PartitionKey", "greater than or equal to 1", () => validatePartitionKey("")),
  reject("partition key of 257 chars", "PartitionKey", "less than or equal to 256", () =>
    validatePartitionKey("k".repeat(257)),
  ),
  reject("partition key of 257 astral chars", "PartitionKey", "less than or equal to 256", () =>
    validatePartitionKey(EMOJI.repeat(257)),
  ),
  reject("huge partition key", "PartitionKey", "less than or equal to 256", () =>
    validatePartitionKey("k".repeat(1_000_000)),
  ),

  accept("record exactly at the limit, key included", () => validateRecordData(new Uint8Array(MiB - 4), EMOJI, MiB)),
  accept("empty data", () => validateRecordData(new Uint8Array(0), "k", MiB)),
  reject("record one byte over, counting the key's UTF-8 bytes", "Data", "1048576", () =>
    validateRecordData(new Uint8Array(MiB - 3), EMOJI, MiB),
  ),
  reject("record over a per-stream 10 MiB limit", "Data", "10485760", () =>
    validateRecordData(new Uint8Array(10 * MiB), "k", 10 * MiB),
  ),

  accept("shard count 1", () => validateShardCount(1)),
  accept("shard count at the maximum", () => validateShardCount(LIMITS.shardCountMax)),
  accept("shard count at a configured maximum", () => validateShardCount(5000, 5000)),
  reject("shard count 0", "ShardCount", "greater than or equal to 1", () => validateShardCount(0)),
  reject("shard count above the maximum", "ShardCount", "less than or equal to 1024", () => validateShardCount(1025)),
  reject("fractional shard count", "ShardCount", "integer", () => validateShardCount(1.5)),
  reject("NaN shard count", "ShardCount", "integer", () => validateShardCount(Number.NaN)),
  reject("target shard count", "TargetShardCount", "less than or equal to 8", () =>
    validateShardCount(9, 8, "TargetShardCount"),
  ),

  accept("retention 24 h", () => validateRetentionHours(24)),
  accept("retention 8760 h", () => validateRetentionHours(8760)),
  reject("retention 23 h", "RetentionPeriodHours", "greater than or equal to 24", () => validateRetentionHours(23)),
  reject("retention 8761 h", "RetentionPeriodHours", "less than or equal to 8760", () => validateRetentionHours(8761)),
  reject("retention 24.5 h", "RetentionPeriodHours", "integer", () => validateRetentionHours(24.5)),

  accept("max record size 1 KiB", () => validateMaxRecordSize(1024)),
  accept("max record size 10 MiB", () => validateMaxRecordSize(10 * MiB)),
  reject("max record size below 1 KiB", "MaxRecordSizeInKiB", "1 KiB", () => validateMaxRecordSize(1023)),
  reject("max record size above 10 MiB", "MaxRecordSizeInKiB", "10240 KiB", () => validateMaxRecordSize(10 * MiB + 1)),

  accept("GetRecords limit 1", () => validateGetRecordsLimit(1)),
  accept("GetRecords limit 10000", () => validateGetRecordsLimit(10_000)),
  reject("GetRecords limit 0", "Limit", "greater than or equal to 1", () => validateGetRecordsLimit(0)),
  reject("GetRecords limit 10001", "Limit", "less than or equal to 10000", () => validateGetRecordsLimit(10_001)),

  accept("list limit at its maximum", () => validateListLimit(100, 100, "MaxResults")),
  reject("list limit 0", "MaxResults", "greater than or equal to 1", () => validateListLimit(0, 100, "MaxResults")),
  reject("list limit above max", "MaxResults", "less than or equal to 100", () =>
    validateListLimit(101, 100, "MaxResults"),
  ),

  accept("shard id", () => expect(validateShardIdFormat("shardId-000000000007")).toBe(7)),
  reject("short shard id", "ShardId", "shardId-[0-9]{12}", () => validateShardIdFormat("shardId-7")),
  reject("exclusive start shard id", "ExclusiveStartShardId", "shardId-[0-9]{12}", () =>
    validateShardIdFormat("shard-000000000007", "ExclusiveStartShardId"),
  ),

  accept("PutRecords of 1 record", () => validatePutRecordsRequest(1, 1)),
  accept("PutRecords of 500 records and 10 MiB", () => validatePutRecordsRequest(500, 10 * MiB)),
  reject("PutRecords of no record", "Records", "greater than or equal to 1", () => validatePutRecordsRequest(0, 0)),
  reject("PutRecords of 501 records", "Records", "less than or equal to 500", () =>
    validatePutRecordsRequest(501, 501),
  ),
  reject("PutRecords over 10 MiB", "Records", "10485760", () => validatePutRecordsRequest(2, 10 * MiB + 1)),
];

describe("validation: valid edges pass, invalid edges fail naming the field and the limit", () => {
  it.each(rows.map((row) => [row.what, row] as const))("%s", (_, row) => {
    if (!row.rejects) {
      row.call();
      return;
    }
    let error: unknown;
    try {
      row.call();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(KinesisError);
    const { name, message } = error as KinesisError;
    expect(name).toBe("InvalidArgumentException");
    expect(message).toMatch(/^1 validation error detected: Value ('[^]*' )?at '/);
    expect(message).toContain(`'${row.rejects.field}'`);
    expect(message).toContain(row.rejects.limit);
  });

  it("words a length limit exactly as Kinesis does, quoting the value (cut at 256 characters)", () => {
    expect(() => validatePartitionKey("")).toThrow(
      "1 validation error detected: Value '' at 'PartitionKey' failed to satisfy constraint: " +
        "Member must have length greater than or equal to 1",
    );
    expect(() => validatePartitionKey("k".repeat(257))).toThrow(
      `1 validation error detected: Value '${"k".repeat(256)}...' at 'PartitionKey' failed to satisfy constraint: ` +
        "Member must have length less than or equal to 256",
    );
  });
});

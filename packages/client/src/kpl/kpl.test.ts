/**
 * KPL aggregation: the wire format checked byte by byte against a fixture built here from the protobuf
 * encoding rules (not from the module's encoder), round trips over arbitrary records, every way a record
 * can fail to be an aggregate (each comes back whole as a plain record), and the consumer's batching.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KinesisError } from "@eddy/core";
import type { PutRecordsEntry, StreamRecord } from "../types.js";
import { KPL_LIMITS, aggregate, deaggregate, readAggregate, recordBatches, type UserRecord } from "./kpl.js";

// ---- The protobuf encoding rules, written out for the fixtures ----

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** A base-128 varint: seven bits a byte, least significant group first, the high bit set on all but the last. */
function varint(value: bigint | number): number[] {
  let rest = BigInt(value);
  const bytes: number[] = [];
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}

/** A field's key: (field number << 3) | wire type, as a varint. */
function key(field: number, wireType: number): number[] {
  return varint((field << 3) | wireType);
}

function uintField(field: number, value: bigint | number): number[] {
  return [...key(field, WIRE_VARINT), ...varint(value)];
}

function bytesField(field: number, bytes: readonly number[]): number[] {
  return [...key(field, WIRE_LENGTH_DELIMITED), ...varint(bytes.length), ...bytes];
}

const utf8 = (text: string): number[] => [...Buffer.from(text, "utf8")];

/** An inner Record: partition_key_index = 1, explicit_hash_key_index = 2, data = 3. */
function innerRecord(pkIndex: bigint | number, data: readonly number[], ehkIndex?: number): number[] {
  const fields = [...uintField(1, pkIndex)];
  if (ehkIndex !== undefined) fields.push(...uintField(2, ehkIndex));
  fields.push(...bytesField(3, data));
  return bytesField(3, fields);
}

const MAGIC = [0xf3, 0x89, 0x9a, 0xc2];

/** magic, message, MD5(message). */
function frame(message: readonly number[]): Buffer {
  const body = Buffer.from(message);
  return Buffer.concat([Buffer.from(MAGIC), body, createHash("md5").update(body).digest()]);
}

/** The top-level length-delimited fields of an AggregatedRecord, by field number (a minimal reader). */
function topLevelStrings(data: Buffer): Map<number, string[]> {
  const message = data.subarray(MAGIC.length, data.length - 16);
  const fields = new Map<number, string[]>();
  let at = 0;
  const readVarint = (): number => {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      const byte = message[at++]!;
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < message.length) {
    const tag = readVarint();
    expect(tag & 7).toBe(WIRE_LENGTH_DELIMITED);
    const length = readVarint();
    const list = fields.get(tag >> 3) ?? [];
    list.push(message.subarray(at, at + length).toString("utf8"));
    fields.set(tag >> 3, list);
    at += length;
  }
  return fields;
}

// ---- Records ----

const ARRIVAL = new Date("2024-05-01T12:00:00.000Z");

function streamRecord(
  data: Buffer | number[],
  sequenceNumber = "49590338271490256608559692538361571095921575989136588898",
): StreamRecord {
  return {
    sequenceNumber,
    approximateArrivalTimestamp: ARRIVAL,
    data: Buffer.isBuffer(data) ? data : Buffer.from(data),
    partitionKey: "outer-key",
  };
}

/** What a record that is not an aggregate must come back as: itself, numbered 0. */
function expectPlain(record: StreamRecord, reason: string): void {
  expect(readAggregate(record.data)).toEqual({ kind: "plain", reason });
  const users = deaggregate(record);
  expect(users).toHaveLength(1);
  // The data by identity: a deep comparison of a 10 MiB buffer would take the test's whole time.
  expect(users[0]!.data).toBe(record.data);
  expect({ ...users[0], data: null }).toEqual({ ...record, data: null, subSequenceNumber: 0, aggregated: false });
}

const EHK_MAX = "340282366920938463463374607431768211455";
const LONG_DATA = Array.from({ length: 200 }, (_, i) => i % 256);

/**
 * Three user records: two share "pk-α" (so the table holds it once), one has an explicit hash key and
 * empty data, one has 200 bytes of data (so both its length and its record's length take two varint
 * bytes). Tables in order of first use and fields in field-number order, as the KPL writes them.
 */
const FIXTURE_MESSAGE = [
  ...bytesField(1, utf8("pk-α")),
  ...bytesField(1, utf8("b")),
  ...bytesField(2, utf8(EHK_MAX)),
  ...innerRecord(0, utf8("x")),
  ...innerRecord(1, [], 0),
  ...innerRecord(0, LONG_DATA),
];

const FIXTURE_ENTRIES: PutRecordsEntry[] = [
  { partitionKey: "pk-α", data: "x" },
  { partitionKey: "b", data: new Uint8Array(0), explicitHashKey: EHK_MAX },
  { partitionKey: "pk-α", data: Uint8Array.from(LONG_DATA) },
];

describe("the KPL wire format, against a fixture built from the protobuf rules", () => {
  it("fixture: the helpers write the bytes the rules say", () => {
    const bytes = frame(FIXTURE_MESSAGE);
    // magic | field 1, length 5, "pk-α" (α is CE B1) | field 1, length 1, "b" | field 2, length 39, ...
    expect(bytes.subarray(0, 16).toString("hex")).toBe("f3899ac2" + "0a05706b2dceb1" + "0a0162" + "1227");
    // The third record: field 3, length 205 (CD 01); then pk index 0, and data of length 200 (C8 01).
    const third = innerRecord(0, LONG_DATA);
    expect(Buffer.from(third.slice(0, 7)).toString("hex")).toBe("1acd010800" + "1a" + "c8");
  });

  it("deaggregate reads the fixture's three user records, numbered 0..2", () => {
    const outer = streamRecord(frame(FIXTURE_MESSAGE));
    const users = deaggregate(outer);
    expect(users).toEqual([
      {
        sequenceNumber: outer.sequenceNumber,
        subSequenceNumber: 0,
        partitionKey: "pk-α",
        data: Buffer.from("x"),
        approximateArrivalTimestamp: ARRIVAL,
        aggregated: true,
      },
      {
        sequenceNumber: outer.sequenceNumber,
        subSequenceNumber: 1,
        partitionKey: "b",
        explicitHashKey: EHK_MAX,
        data: Buffer.alloc(0),
        approximateArrivalTimestamp: ARRIVAL,
        aggregated: true,
      },
      {
        sequenceNumber: outer.sequenceNumber,
        subSequenceNumber: 2,
        partitionKey: "pk-α",
        data: Buffer.from(LONG_DATA),
        approximateArrivalTimestamp: ARRIVAL,
        aggregated: true,
      },
    ]);
    expect(users.every((user) => Buffer.isBuffer(user.data))).toBe(true);
  });

  it("aggregate writes the fixture byte for byte", () => {
    expect(aggregate(FIXTURE_ENTRIES).toString("hex")).toBe(frame(FIXTURE_MESSAGE).toString("hex"));
  });

  it("fields the schema does not know are skipped, as protobuf requires", () => {
    const message = [...bytesField(1, utf8("k")), ...bytesField(9, utf8("future")), ...innerRecord(0, utf8("v"))];
    const users = deaggregate(streamRecord(frame(message)));
    expect(users.map((u) => [u.partitionKey, u.data.toString()])).toEqual([["k", "v"]]);
  });

  it("tags are read past and not handed over", () => {
    const tag = bytesField(4, [...bytesField(1, utf8("env")), ...bytesField(2, utf8("prod"))]);
    const record = bytesField(3, [...uintField(1, 0), ...bytesField(3, utf8("v")), ...tag]);
    const users = deaggregate(streamRecord(frame([...bytesField(1, utf8("k")), ...record])));
    expect(users).toHaveLength(1);
    expect(users[0]).not.toHaveProperty("tags");
  });
});

describe("round trip", () => {
  const partitionKey = fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }),
  );
  const explicitHashKey = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map(String);
  /** A few keys, so that records share them and the tables must deduplicate. */
  const entries = fc
    .tuple(fc.uniqueArray(partitionKey, { minLength: 1, maxLength: 4 }), fc.array(explicitHashKey, { maxLength: 3 }))
    .chain(([keys, hashKeys]) =>
      fc.array(
        fc.record({
          partitionKey: fc.constantFrom(...keys),
          data: fc.uint8Array({ maxLength: 300 }),
          explicitHashKey:
            hashKeys.length > 0 ? fc.option(fc.constantFrom(...hashKeys), { nil: undefined }) : fc.constant(undefined),
        }),
        { minLength: 1, maxLength: 40 },
      ),
    );

  it("deaggregate(aggregate(records)) gives back every record, in order, numbered 0..n-1", () => {
    fc.assert(
      fc.property(entries, (records) => {
        const users = deaggregate(streamRecord(aggregate(records), "7"));
        expect(users).toEqual(
          records.map((record, index): UserRecord => ({
            sequenceNumber: "7",
            subSequenceNumber: index,
            partitionKey: record.partitionKey,
            ...(record.explicitHashKey === undefined ? {} : { explicitHashKey: record.explicitHashKey }),
            data: Buffer.from(record.data),
            approximateArrivalTimestamp: ARRIVAL,
            aggregated: true,
          })),
        );
      }),
    );
  });

  it("each partition key and explicit hash key is written once, in order of first use", () => {
    fc.assert(
      fc.property(entries, (records) => {
        const tables = topLevelStrings(aggregate(records));
        const distinct = (values: (string | undefined)[]) => [...new Set(values.filter((v) => v !== undefined))];
        expect(tables.get(1)).toEqual(distinct(records.map((r) => r.partitionKey)));
        expect(tables.get(2) ?? []).toEqual(distinct(records.map((r) => r.explicitHashKey)));
      }),
    );
  });

  it("string data goes in as its UTF-8 bytes", () => {
    const [user] = deaggregate(streamRecord(aggregate([{ partitionKey: "k", data: "héllo 🌊" }])));
    expect(user!.data.toString("utf8")).toBe("héllo 🌊");
  });

  it("a 1,000-record aggregate has sub-sequence numbers 0..999 under the outer sequence number", () => {
    const records = Array.from({ length: 1_000 }, (_, i) => ({ partitionKey: `k${i % 7}`, data: String(i) }));
    const users = deaggregate(streamRecord(aggregate(records), "42"));
    expect(users.map((u) => u.subSequenceNumber)).toEqual(records.map((_, i) => i));
    expect(new Set(users.map((u) => u.sequenceNumber))).toEqual(new Set(["42"]));
    expect(users.map((u) => u.data.toString())).toEqual(records.map((r) => r.data));
  });
});

describe("a record that is not an aggregate comes back whole, as a plain record", () => {
  const good = aggregate(FIXTURE_ENTRIES);

  it("no magic: ordinary data, and empty data", () => {
    expectPlain(streamRecord(Buffer.from("hello, plain record")), "no-magic");
    expectPlain(streamRecord([0xf3, 0x89, 0x9a, 0xc3, ...good.subarray(4)]), "no-magic");
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 200 }), (data) => {
        fc.pre(!MAGIC.every((byte, i) => data[i] === byte));
        expectPlain(streamRecord(Buffer.from(data)), "no-magic");
      }),
    );
  });

  it("too short: under the magic, or no room for a message after it", () => {
    expectPlain(streamRecord([]), "too-short");
    expectPlain(streamRecord(MAGIC.slice(0, 3)), "too-short");
    expectPlain(streamRecord(MAGIC), "too-short");
    // The MD5 of an empty message, correctly placed: still no aggregate, as for the KCL.
    expectPlain(streamRecord(frame([])), "too-short");
  });

  it("MD5 mismatch: a changed digest byte, a changed message byte", () => {
    const badDigest = Buffer.from(good);
    badDigest[badDigest.length - 1]! ^= 0x01;
    expectPlain(streamRecord(badDigest), "digest-mismatch");
    const badMessage = Buffer.from(good);
    badMessage[10]! ^= 0x40;
    expectPlain(streamRecord(badMessage), "digest-mismatch");
  });

  it("truncated: cut anywhere, the digest no longer matches", () => {
    for (let length = good.length - 1; length > 4 + 16; length--) {
      expectPlain(streamRecord(good.subarray(0, length)), "digest-mismatch");
    }
  });

  it("truncated before the digest was taken: the message does not decode", () => {
    const cut = FIXTURE_MESSAGE.slice(0, FIXTURE_MESSAGE.length - 5);
    expectPlain(streamRecord(frame(cut)), "undecodable");
  });

  it("a record without its required data field does not decode", () => {
    const message = [...bytesField(1, utf8("k")), ...bytesField(3, uintField(1, 0))];
    expectPlain(streamRecord(frame(message)), "undecodable");
  });

  it("a record without its required partition key index does not decode", () => {
    const message = [...bytesField(1, utf8("k")), ...bytesField(3, bytesField(3, utf8("v")))];
    expectPlain(streamRecord(frame(message)), "undecodable");
  });

  it("an index outside the partition key table or the explicit hash key table", () => {
    const keys = [...bytesField(1, utf8("a")), ...bytesField(2, utf8("123"))];
    expectPlain(streamRecord(frame([...keys, ...innerRecord(1, utf8("v"))])), "index-out-of-range");
    expectPlain(streamRecord(frame([...keys, ...innerRecord(0, utf8("v"), 1)])), "index-out-of-range");
    expectPlain(streamRecord(frame([...keys, ...innerRecord((1n << 64n) - 1n, utf8("v"))])), "index-out-of-range");
    // A good first record does not make a bad second one partly delivered.
    const mixed = [...keys, ...innerRecord(0, utf8("ok")), ...innerRecord(5, utf8("bad"))];
    expectPlain(streamRecord(frame(mixed)), "index-out-of-range");
  });

  it("a well-formed aggregate without records", () => {
    expectPlain(streamRecord(frame(bytesField(1, utf8("lonely")))), "empty");
  });

  it("bigger than the largest record a stream takes", () => {
    const data = Buffer.alloc(KPL_LIMITS.aggregateBytesMax + 1);
    Buffer.from(MAGIC).copy(data);
    expectPlain(streamRecord(data), "too-large");
  });
});

describe("aggregate refuses what would not make a valid aggregate", () => {
  const refuses = (records: PutRecordsEntry[], pattern: RegExp) => {
    let caught: unknown;
    try {
      aggregate(records);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KinesisError);
    expect((caught as KinesisError).name).toBe("InvalidArgumentException");
    expect((caught as KinesisError).message).toMatch(pattern);
  };

  it("no records", () => refuses([], /records\.length/));
  it("an empty partition key, or one over 256 characters", () => {
    refuses([{ partitionKey: "", data: "x" }], /records\[0\]\.partitionKey/);
    refuses(
      [
        { partitionKey: "a", data: "x" },
        { partitionKey: "k".repeat(257), data: "x" },
      ],
      /records\[1\]\.partitionKey/,
    );
  });
  it("a malformed explicit hash key", () => {
    refuses([{ partitionKey: "a", data: "x", explicitHashKey: "0x10" }], /records\[0\]\.explicitHashKey/);
    refuses([{ partitionKey: "a", data: "x", explicitHashKey: "340282366920938463463374607431768211456" }], /2\^128/);
  });
  it("more bytes than the largest record", () => {
    const half = new Uint8Array(KPL_LIMITS.aggregateBytesMax / 2);
    refuses(
      [
        { partitionKey: "a", data: half },
        { partitionKey: "a", data: half },
      ],
      /at most 10485760 bytes/,
    );
    refuses(
      [
        { partitionKey: "a", data: half },
        { partitionKey: "a", data: half },
        { partitionKey: "a", data: "x" },
      ],
      /records\[2\]/,
    );
  });
});

describe("recordBatches: what the consumer hands its processor", () => {
  /** An aggregate of `count` user records, as the outer record numbered `sequence`. */
  const aggregated = (sequence: number, count: number) =>
    streamRecord(
      aggregate(Array.from({ length: count }, (_, i) => ({ partitionKey: `k${i}`, data: `${sequence}.${i}` }))),
      String(sequence),
    );
  const plainRecord = (sequence: number) => streamRecord(Buffer.from(`plain ${sequence}`), String(sequence));
  /** A batch as "outer.sub" labels. */
  const labels = (batch: readonly StreamRecord[]) =>
    batch.map((r) => `${r.sequenceNumber}.${(r as UserRecord).subSequenceNumber ?? "-"}`);

  it("without deaggregation: plain slices of the event's records", () => {
    const records = [aggregated(1, 3), plainRecord(2), plainRecord(3)];
    expect([...recordBatches(records, 2, false)]).toEqual([records.slice(0, 2), records.slice(2)]);
  });

  it("batches end where aggregates end", () => {
    const records = [aggregated(1, 3), aggregated(2, 3), plainRecord(3), aggregated(4, 2)];
    expect([...recordBatches(records, 5, true)].map(labels)).toEqual([
      ["1.0", "1.1", "1.2"],
      ["2.0", "2.1", "2.2", "3.0"],
      ["4.0", "4.1"],
    ]);
  });

  it("an aggregate bigger than a batch is split, and its last part is shared with what follows", () => {
    const records = [plainRecord(1), aggregated(2, 12), plainRecord(3)];
    expect([...recordBatches(records, 5, true)].map(labels)).toEqual([
      ["1.0"],
      ["2.0", "2.1", "2.2", "2.3", "2.4"],
      ["2.5", "2.6", "2.7", "2.8", "2.9"],
      ["2.10", "2.11", "3.0"],
    ]);
  });

  it("property: every user record once, in order; batches within the limit, ending at aggregate ends", () => {
    const event = fc
      .array(fc.nat({ max: 9 }), { maxLength: 12 })
      .map((sizes) => sizes.map((size, i) => (size === 0 ? plainRecord(i) : aggregated(i, size))));
    fc.assert(
      fc.property(event, fc.integer({ min: 1, max: 8 }), (records, batchRecordsMax) => {
        const batches = [...recordBatches(records, batchRecordsMax, true)];
        expect(batches.flat().map((r) => labels([r])[0])).toEqual(
          records.flatMap(deaggregate).map((r) => labels([r])[0]),
        );
        const countOf = new Map(records.map((r) => [r.sequenceNumber, deaggregate(r).length]));
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(batchRecordsMax);
          const last = batch.at(-1) as UserRecord;
          const count = countOf.get(last.sequenceNumber)!;
          // Only an aggregate bigger than a batch may be cut, and then only into full batches.
          if (last.subSequenceNumber !== count - 1) {
            expect(count).toBeGreaterThan(batchRecordsMax);
            expect(batch.length).toBe(batchRecordsMax);
          }
        }
      }),
    );
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { crc32 } from "node:zlib";
import { KinesisError } from "./errors.js";
import {
  decodeBatchProducers,
  decodeRecordBatch,
  encodeRecordBatch,
  encodeSealBatch,
  isSealBatch,
  RECORD_BATCH_HEADER_BYTES,
  recordBatchCount,
  type BatchRecord,
} from "./codec.js";

/** Keys mix ASCII with any code point, astral planes included; lengths cross the 1-byte varint limit. */
const keyChar = fc.oneof(fc.constant("k"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }));
const records: fc.Arbitrary<BatchRecord[]> = fc.array(
  fc.record({
    partitionKey: fc.string({ unit: keyChar, maxLength: 300 }),
    data: fc.uint8Array({ maxLength: 600 }),
  }),
  { maxLength: 20 },
);

function corruptionOf(fn: () => unknown): KinesisError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KinesisError && error.name === "CorruptDataException") return error;
    throw error;
  }
  throw new Error("expected CorruptDataException, but the batch decoded");
}

/** Rewrites the checksum, to build batches that are well-sealed but structurally wrong. */
function sealed(bytes: number[]): Uint8Array {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(3, crc32(out.subarray(7)));
  return out;
}

const plain = (batch: readonly BatchRecord[]) =>
  batch.map((r) => ({ partitionKey: r.partitionKey, data: Array.from(r.data) }));

describe("record batch: layout", () => {
  it("matches the documented grammar byte by byte", () => {
    const bytes = encodeRecordBatch([{ partitionKey: "a", data: Uint8Array.of(1, 2) }]);
    const tail = [0, 0, 0, 1, /* key */ 1, 0x61, /* data */ 2, 1, 2];
    const crc = crc32(Uint8Array.from(tail));
    const crcBytes = [crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255];
    expect(Array.from(bytes)).toEqual([0xed, 1, 0, ...crcBytes, ...tail]);
  });

  it("writes lengths as minimal unsigned LEB128", () => {
    const bytes = encodeRecordBatch([{ partitionKey: "k", data: new Uint8Array(300) }]);
    // 300 = 0b10_0101100 -> 0xAC 0x02
    const lengths = bytes.subarray(RECORD_BATCH_HEADER_BYTES, RECORD_BATCH_HEADER_BYTES + 4);
    expect(Array.from(lengths)).toEqual([1, 0x6b, 0xac, 0x02]);
  });

  it("an empty batch is just the header", () => {
    const bytes = encodeRecordBatch([]);
    expect(bytes.length).toBe(RECORD_BATCH_HEADER_BYTES);
    expect(decodeRecordBatch(bytes)).toEqual([]);
    expect(recordBatchCount(bytes)).toBe(0);
  });
});

describe("record batch: round trip", () => {
  it("decode(encode(records)) gives the records back, unicode keys and empty data included", () => {
    fc.assert(
      fc.property(records, (batch) => {
        const bytes = encodeRecordBatch(batch);
        expect(plain(decodeRecordBatch(bytes))).toEqual(plain(batch));
        expect(recordBatchCount(bytes)).toBe(batch.length);
      }),
    );
  });

  it("handles records large enough for 3-byte length fields", () => {
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    const [record] = decodeRecordBatch(encodeRecordBatch([{ partitionKey: "big", data }]));
    expect(record?.data).toEqual(data);
  });

  it("decodes a Uint8Array view at an offset, and returns data as zero-copy views of it", () => {
    const bytes = encodeRecordBatch([{ partitionKey: "p", data: Uint8Array.of(7, 8, 9) }]);
    const backing = new Uint8Array(bytes.length + 10);
    backing.set(bytes, 5);
    const view = new Uint8Array(backing.buffer, 5, bytes.length);
    const [record] = decodeRecordBatch(view);
    expect(record?.partitionKey).toBe("p");
    expect(Array.from(record?.data ?? [])).toEqual([7, 8, 9]);
    expect(record?.data.buffer).toBe(backing.buffer);
  });
});

describe("record batch: corruption is detected, never returned as data", () => {
  it("any single changed byte", () => {
    const batchAndFlip = records
      .map((batch) => encodeRecordBatch(batch))
      .chain((bytes) =>
        fc.tuple(fc.constant(bytes), fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })),
      );
    fc.assert(
      fc.property(batchAndFlip, ([bytes, at, xor]) => {
        const damaged = Uint8Array.from(bytes);
        damaged[at] = (damaged[at] ?? 0) ^ xor;
        corruptionOf(() => decodeRecordBatch(damaged));
      }),
      { numRuns: 500 },
    );
  });

  it("every single bit of a small batch", () => {
    const bytes = encodeRecordBatch([
      { partitionKey: "key-\u00e9", data: Uint8Array.of(0, 1, 2, 255) },
      { partitionKey: "x", data: new Uint8Array() },
    ]);
    for (let at = 0; at < bytes.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = Uint8Array.from(bytes);
        damaged[at] = (damaged[at] ?? 0) ^ (1 << bit);
        corruptionOf(() => decodeRecordBatch(damaged));
      }
    }
  });

  it("any truncation", () => {
    fc.assert(
      fc.property(records, (batch) => {
        const bytes = encodeRecordBatch(batch);
        for (let length = 0; length < bytes.length; length++) {
          corruptionOf(() => decodeRecordBatch(bytes.subarray(0, length)));
        }
      }),
      { numRuns: 50 },
    );
  });

  it("trailing bytes", () => {
    const bytes = encodeRecordBatch([{ partitionKey: "a", data: Uint8Array.of(1) }]);
    expect(corruptionOf(() => decodeRecordBatch(sealed([...bytes, 0]))).message).toMatch(/trailing/);
  });

  it("names what is wrong", () => {
    const good = Array.from(encodeRecordBatch([{ partitionKey: "a", data: Uint8Array.of(1) }]));
    const withByte = (at: number, value: number) => good.map((b, i) => (i === at ? value : b));
    expect(corruptionOf(() => decodeRecordBatch(Uint8Array.from(withByte(0, 0x00)))).message).toMatch(/magic/);
    expect(corruptionOf(() => decodeRecordBatch(Uint8Array.from(withByte(1, 2)))).message).toMatch(/version/);
    expect(corruptionOf(() => decodeRecordBatch(Uint8Array.from(withByte(2, 4)))).message).toMatch(/flags/);
    expect(corruptionOf(() => decodeRecordBatch(Uint8Array.from(withByte(12, 0x62)))).message).toMatch(/checksum/);
    expect(corruptionOf(() => decodeRecordBatch(Uint8Array.of(0xed, 1))).message).toMatch(/truncated/);
  });

  it("structural lies behind a valid checksum", () => {
    const header = (count: number) => [0xed, 1, 0, 0, 0, 0, 0, 0, 0, 0, count];
    // Two records announced, one present.
    expect(corruptionOf(() => decodeRecordBatch(sealed([...header(2), 1, 0x61, 0]))).message).toMatch(/truncated/);
    // A key length running past the end.
    expect(corruptionOf(() => decodeRecordBatch(sealed([...header(1), 9, 0x61, 0]))).message).toMatch(/truncated/);
    // A non-minimal varint (0x81 0x00 for 1).
    expect(corruptionOf(() => decodeRecordBatch(sealed([...header(1), 0x81, 0, 0x61, 0]))).message).toMatch(/minimal/);
    // A varint longer than five bytes.
    const long = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    expect(corruptionOf(() => decodeRecordBatch(sealed([...header(1), ...long]))).message).toMatch(/longer/);
    // A five-byte varint above 2^32 - 1.
    const huge = [0xff, 0xff, 0xff, 0xff, 0x7f];
    expect(corruptionOf(() => decodeRecordBatch(sealed([...header(1), ...huge]))).message).toMatch(/range/);
  });

  it("recordBatchCount checks the magic byte before trusting the header", () => {
    corruptionOf(() => recordBatchCount(Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1)));
    corruptionOf(() => recordBatchCount(Uint8Array.of(0xed, 1, 0)));
  });
});

describe("record batch producer section", () => {
  const records: BatchRecord[] = [
    { partitionKey: "a", data: Uint8Array.of(1) },
    { partitionKey: "b", data: Uint8Array.of(2, 3) },
    { partitionKey: "c", data: new Uint8Array(0) },
  ];
  const producers = [
    { producerId: "p-1", epoch: 7, sequence: 2 ** 47 + 5, firstRecord: 0, recordCount: 2 },
    { producerId: "ünï", epoch: 0xffff_ffff, sequence: 0, firstRecord: 2, recordCount: 1 },
  ];

  it("round-trips the producers beside the records, which decode as before", () => {
    const bytes = encodeRecordBatch(records, producers);
    expect(decodeBatchProducers(bytes)).toEqual(producers);
    expect(decodeRecordBatch(bytes).map((r) => r.partitionKey)).toEqual(["a", "b", "c"]);
    expect(decodeBatchProducers(encodeRecordBatch(records))).toEqual([]);
  });

  it("refuses a producer batch that reaches past the records", () => {
    expect(() => encodeRecordBatch(records, [{ ...producers[0]!, recordCount: 4 }])).toThrow(/outside the records/);
    const bytes = Buffer.from(encodeRecordBatch(records, producers));
    // recordCount of the first producer (after count varint, id varint+3 bytes, epoch 4, sequence 6, first 4).
    bytes.writeUInt32BE(9, 11 + 1 + 1 + 3 + 4 + 6 + 4);
    expect(() => decodeBatchProducers(bytes)).toThrow(/covers records past/);
  });
});

describe("record batch: seal", () => {
  it("a seal is a header with FLAG_SEAL, no records and its mark; other batches are not seals", () => {
    const seal = encodeSealBatch();
    expect(Buffer.from(seal).toString("latin1", RECORD_BATCH_HEADER_BYTES)).toBe("SEAL");
    expect(seal[2]).toBe(0x02);
    expect(isSealBatch(seal)).toBe(true);
    expect(decodeRecordBatch(seal)).toEqual([]);
    expect(isSealBatch(encodeRecordBatch([]))).toBe(false);
    expect(isSealBatch(encodeRecordBatch([{ partitionKey: "k", data: new Uint8Array([1]) }]))).toBe(false);
  });

  it("a damaged seal, or a seal carrying records, is corruption", () => {
    const flipped = Buffer.from(encodeSealBatch());
    flipped[8] = 1; // record count
    expect(() => isSealBatch(flipped)).toThrow(/seal holds no records|checksum/);
    // One changed flag byte turns neither an empty batch into a seal nor a seal into an empty batch.
    const empty = Buffer.from(encodeRecordBatch([]));
    empty[2] = 0x02;
    expect(() => decodeRecordBatch(empty)).toThrow(KinesisError);
    const unsealed = Buffer.from(encodeSealBatch());
    unsealed[2] = 0;
    expect(() => decodeRecordBatch(unsealed)).toThrow(KinesisError);
    const withRecord = Buffer.from(encodeRecordBatch([{ partitionKey: "k", data: new Uint8Array([1]) }]));
    withRecord[2] = 0x02;
    expect(() => decodeRecordBatch(withRecord)).toThrow(KinesisError);
  });
});

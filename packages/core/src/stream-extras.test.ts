import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  STREAM_EXTRAS_LIMITS as L,
  consumerArnOf,
  consumerDeregistered,
  consumerRegistered,
  pageOfConsumers,
  pageOfTags,
  parseConsumerArn,
  parseStreamArn,
  streamNameOfArn,
  tagsAdded,
  tagsRemoved,
  validateConsumerName,
  validateListTagsLimit,
  validateTagKeys,
  validateTagMap,
  type StreamConsumer,
  type StreamTag,
} from "./stream-extras.js";
import { kinesisErrorOf } from "./test-support.js";

const STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";

function expectInvalid(fn: () => unknown, field: string): void {
  const error = kinesisErrorOf(fn);
  expect(error.name).toBe("InvalidArgumentException");
  expect(error.message).toContain(`'${field}'`);
}

describe("stream ARNs", () => {
  it("parses arn:aws:kinesis:REGION:ACCOUNT:stream/NAME", () => {
    expect(parseStreamArn(STREAM_ARN)).toEqual({
      region: "us-east-1",
      accountId: "000000000000",
      streamName: "orders",
    });
    expect(streamNameOfArn("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c-9")).toBe("a.b_c-9");
  });

  it("refuses anything else with InvalidArgumentException naming the field", () => {
    const bad: unknown[] = [
      "",
      "orders",
      "arn:aws:sqs:us-east-1:000000000000:stream/orders",
      "arn:aws:kinesis:us-east-1:0000:stream/orders",
      "arn:aws:kinesis:us-east-1:000000000000:stream/",
      "arn:aws:kinesis:us-east-1:000000000000:stream/has space",
      "arn:aws:kinesis:us-east-1:000000000000:deliverystream/orders",
      `${STREAM_ARN}/consumer/c:1`,
      `arn:aws:kinesis:us-east-1:000000000000:stream/${"s".repeat(129)}`,
      `arn:aws:kinesis:us-east-1:000000000000:stream/${"s".repeat(2048)}`,
      17,
      undefined,
    ];
    for (const arn of bad) expectInvalid(() => streamNameOfArn(arn), "StreamARN");
    expectInvalid(() => streamNameOfArn("nope", "StreamArn"), "StreamArn");
  });

  it("round-trips any legal stream name", () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,128}$/);
    fc.assert(
      fc.property(name, (streamName) => {
        expect(streamNameOfArn(`arn:aws:kinesis:eu-west-1:123456789012:stream/${streamName}`)).toBe(streamName);
      }),
    );
  });
});

describe("consumer ARNs", () => {
  it("are the stream ARN, /consumer/, the name and the creation time in epoch seconds", () => {
    expect(consumerArnOf(STREAM_ARN, "billing", 1_700_000_000_999)).toBe(`${STREAM_ARN}/consumer/billing:1700000000`);
  });

  it("parse back into their parts", () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,128}$/);
    fc.assert(
      fc.property(name, name, fc.nat(), (streamName, consumerName, nowMs) => {
        const streamArn = `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`;
        expect(parseConsumerArn(consumerArnOf(streamArn, consumerName, nowMs))).toEqual({
          streamArn,
          streamName,
          consumerName,
          creationEpochSeconds: Math.floor(nowMs / 1000),
        });
      }),
    );
  });

  it("refuses malformed consumer ARNs naming the field", () => {
    for (const arn of [STREAM_ARN, `${STREAM_ARN}/consumer/billing`, `${STREAM_ARN}/consumer/bil ling:1`, ""]) {
      expectInvalid(() => parseConsumerArn(arn), "ConsumerARN");
    }
  });
});

describe("tag validation", () => {
  it("takes a map of 1..50 tags and returns them sorted by key", () => {
    expect(validateTagMap({ b: "2", a: "", "Ünïcode key 7 _./=+-%@:": "välue" })).toEqual([
      { key: "a", value: "" },
      { key: "b", value: "2" },
      { key: "Ünïcode key 7 _./=+-%@:", value: "välue" },
    ]);
    // A key JSON can carry is a key, even one that names an object's prototype.
    expect(validateTagMap(JSON.parse('{"__proto__":"x"}'))).toEqual([{ key: "__proto__", value: "x" }]);
  });

  it("names the field and the limit for each bad input", () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    expect(validateTagMap(fifty)).toHaveLength(50);
    expectInvalid(() => validateTagMap({}), "Tags");
    expectInvalid(() => validateTagMap({ ...fifty, extra: "v" }), "Tags");
    expectInvalid(() => validateTagMap(["a"]), "Tags");
    expectInvalid(() => validateTagMap({ "a#b": "v" }), "Tags.a#b.key");
    expectInvalid(() => validateTagMap({ a: "v!" }), "Tags.a.value");
    expectInvalid(() => validateTagMap({ a: 7 }), "Tags.a.value");
    expect(kinesisErrorOf(() => validateTagMap({ "aws:owner": "v" })).message).toMatch(/reserved/);
  });

  it("counts lengths in Unicode characters: 128 for keys, 256 for values", () => {
    const emoji = "\u{1F600}"; // two UTF-16 units, one character; a symbol, so use a letter outside the BMP
    const wide = "\u{20000}"; // a CJK letter outside the BMP
    expect(emoji.length).toBe(2);
    expect(validateTagMap({ [wide.repeat(128)]: wide.repeat(256) })).toHaveLength(1);
    expectInvalid(() => validateTagMap({ [wide.repeat(129)]: "" }), `Tags.${wide.repeat(16)}....key`);
    const error = kinesisErrorOf(() => validateTagMap({ a: wide.repeat(257) }));
    expect(error.message).toContain("have length less than or equal to 256");
    expect(kinesisErrorOf(() => validateTagMap({ a: emoji })).message).toContain("Unicode letters");
  });

  it("takes 1..50 tag keys and drops repeats", () => {
    expect(validateTagKeys(["a", "b", "a"])).toEqual(["a", "b"]);
    expectInvalid(() => validateTagKeys([]), "TagKeys");
    expectInvalid(() => validateTagKeys(Array.from({ length: 51 }, (_, i) => `k${i}`)), "TagKeys");
    expectInvalid(() => validateTagKeys(["ok", ""]), "TagKeys.2.member");
    expectInvalid(() => validateTagKeys("a"), "TagKeys");
  });

  it("takes a ListTagsForStream limit of 1..50", () => {
    validateListTagsLimit(1);
    validateListTagsLimit(50);
    for (const limit of [0, 51, 1.5]) expectInvalid(() => validateListTagsLimit(limit), "Limit");
  });

  it("takes consumer names of 1..128 of [a-zA-Z0-9_.-]", () => {
    expect(validateConsumerName("a".repeat(128))).toBe("a".repeat(128));
    for (const name of ["", "a".repeat(129), "a b", "a/b", "a:b", 5]) {
      expectInvalid(() => validateConsumerName(name), "ConsumerName");
    }
  });
});

describe("tag changes and pages", () => {
  const tags = (n: number): StreamTag[] =>
    Array.from({ length: n }, (_, i) => ({ key: `k${String(i).padStart(2, "0")}`, value: `v${i}` }));

  it("adds, overwrites and removes; keys the stream lacks are ignored", () => {
    const added = tagsAdded(
      undefined,
      [
        { key: "b", value: "1" },
        { key: "a", value: "1" },
      ],
      STREAM_ARN,
    );
    expect(tagsAdded(added, [{ key: "b", value: "2" }], STREAM_ARN)).toEqual([
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
    expect(tagsRemoved(added, ["a", "zzz"])).toEqual([{ key: "b", value: "1" }]);
  });

  it("refuses a 51st tag on a stream, as Kinesis does, but overwriting at 50 is fine", () => {
    const full = tags(50);
    expect(tagsAdded(full, [{ key: "k00", value: "new" }], STREAM_ARN)[0]).toEqual({ key: "k00", value: "new" });
    const error = kinesisErrorOf(() => tagsAdded(full, [{ key: "zz", value: "" }], STREAM_ARN));
    expect(error.name).toBe("InvalidArgumentException");
    expect(error.message).toContain("stream orders under account 000000000000");
    expect(error.message).toContain("cannot have more than 50 tags");
  });

  it("pages through every tag once, in key order, with HasMoreTags on every page but the last", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: L.listTagsLimitMax }), (n, limit) => {
        const all = tags(n);
        const seen: StreamTag[] = [];
        let start: string | undefined;
        for (;;) {
          const page = pageOfTags(all, start, limit);
          seen.push(...page.tags);
          if (!page.hasMoreTags) break;
          expect(page.tags).toHaveLength(limit);
          start = page.tags.at(-1)!.key;
        }
        expect(seen).toEqual(all);
      }),
    );
    // The start key need not be a tag's key.
    expect(pageOfTags(tags(3), "k3", 50)).toEqual({ tags: [], hasMoreTags: false });
    expect(pageOfTags(tags(3), "k00a", 1)).toEqual({ tags: [{ key: "k01", value: "v1" }], hasMoreTags: true });
  });
});

describe("consumer changes and pages", () => {
  it("registers ACTIVE consumers in name order; a name twice is ResourceInUse, a 21st LimitExceeded", () => {
    let consumers: StreamConsumer[] | undefined;
    for (const name of ["b", "a"]) consumers = consumerRegistered(consumers, STREAM_ARN, name, 5000).consumers;
    expect(consumers).toEqual([
      {
        consumerName: "a",
        consumerArn: `${STREAM_ARN}/consumer/a:5`,
        consumerStatus: "ACTIVE",
        consumerCreationTimestampMs: 5000,
      },
      expect.objectContaining({ consumerName: "b" }),
    ]);
    expect(kinesisErrorOf(() => consumerRegistered(consumers, STREAM_ARN, "a", 6000)).name).toBe(
      "ResourceInUseException",
    );
    for (let i = 2; i < L.consumersPerStreamMax; i++) {
      consumers = consumerRegistered(consumers, STREAM_ARN, `c${i}`, 5000).consumers;
    }
    expect(consumers).toHaveLength(20);
    expect(kinesisErrorOf(() => consumerRegistered(consumers, STREAM_ARN, "last", 5000)).name).toBe(
      "LimitExceededException",
    );
  });

  it("deregisters by name, or only the registration an ARN names", () => {
    const { consumers } = consumerRegistered(undefined, STREAM_ARN, "a", 9000);
    const stale = consumerArnOf(STREAM_ARN, "a", 1000);
    expect(kinesisErrorOf(() => consumerDeregistered(consumers, STREAM_ARN, "a", stale)).name).toBe(
      "ResourceNotFoundException",
    );
    expect(consumerDeregistered(consumers, STREAM_ARN, "a", consumers[0]!.consumerArn).consumers).toEqual([]);
    expect(consumerDeregistered(consumers, STREAM_ARN, "a").consumer).toBe(consumers[0]);
    expect(kinesisErrorOf(() => consumerDeregistered(undefined, STREAM_ARN, "a")).name).toBe(
      "ResourceNotFoundException",
    );
  });

  it("pages consumers after a name", () => {
    let consumers: StreamConsumer[] | undefined;
    for (const name of ["c", "a", "b"]) consumers = consumerRegistered(consumers, STREAM_ARN, name, 0).consumers;
    const first = pageOfConsumers(consumers, undefined, 2);
    expect(first.consumers.map((c) => c.consumerName)).toEqual(["a", "b"]);
    expect(first.hasMore).toBe(true);
    expect(pageOfConsumers(consumers, "b", 2)).toEqual({ consumers: [consumers![2]], hasMore: false });
  });
});

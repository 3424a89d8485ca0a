import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_SHARD_LIMITS, LIMITS, ShardThrottle, TokenBucket, type ShardLimits } from "./limits.js";

const MiB = 1024 * 1024;

describe("LIMITS", () => {
  it("keeps Kinesis's documented values", () => {
    expect(LIMITS.partitionKeyLengthMax).toBe(256);
    expect(LIMITS.putRecordsCountMax).toBe(500);
    expect(LIMITS.putRecordsBytesMax).toBe(10 * MiB);
    expect(LIMITS.recordSizeBytesDefault).toBe(MiB);
    expect(LIMITS.iteratorTtlMs).toBe(300_000);
    expect(DEFAULT_SHARD_LIMITS).toEqual({
      writeBytesPerSec: MiB,
      writeRecordsPerSec: 1000,
      readBytesPerSec: 2 * MiB,
      readCallsPerSec: 5,
      subscriberBytesPerSec: 2 * MiB,
    });
  });
});

describe("TokenBucket", () => {
  it("starts full and gives exactly `capacity` tokens at one instant", () => {
    const bucket = new TokenBucket(1000, 1000, 0);
    for (let i = 0; i < 1000; i++) expect(bucket.tryTake(1, 0)).toBe(true);
    expect(bucket.tryTake(1, 0)).toBe(false);
    expect(bucket.available(0)).toBe(0);
  });

  it("refills continuously, exactly, at its rate", () => {
    const bucket = new TokenBucket(5, 5, 0);
    expect(bucket.tryTake(5, 0)).toBe(true);
    expect(bucket.tryTake(1, 199)).toBe(false);
    expect(bucket.tryTake(1, 200)).toBe(true);
    expect(bucket.tryTake(1, 399)).toBe(false);
    expect(bucket.tryTake(1, 400)).toBe(true);
    // Over a whole second from empty: exactly 5 more.
    const after = 1400;
    expect(bucket.available(after)).toBe(5);
  });

  it("never holds more than its capacity, however long it idles", () => {
    const bucket = new TokenBucket(1000, 1000, 0);
    expect(bucket.available(10_000_000)).toBe(1000);
  });

  it("refills nothing when the clock goes backwards", () => {
    const bucket = new TokenBucket(1000, 1000, 1000);
    bucket.take(1000, 1000);
    expect(bucket.available(500)).toBe(0);
    expect(bucket.available(1001)).toBe(1);
  });

  it("tryTake is all or nothing", () => {
    const bucket = new TokenBucket(10, 10, 0);
    bucket.take(7, 0);
    expect(bucket.tryTake(4, 0)).toBe(false);
    expect(bucket.available(0)).toBe(3);
    expect(bucket.tryTake(3, 0)).toBe(true);
  });

  it("lets an amount above capacity through only from a full bucket, as a debt", () => {
    const bucket = new TokenBucket(1000, 1000, 0);
    bucket.take(1, 0);
    expect(bucket.tryTake(3000, 0)).toBe(false);
    expect(bucket.tryTake(3000, 1)).toBe(true);
    expect(bucket.available(1)).toBe(-2000);
    // The debt is repaid by refill before anything else passes.
    expect(bucket.tryTake(1, 2001)).toBe(false);
    expect(bucket.tryTake(1, 2002)).toBe(true);
  });

  it("take may go negative, and the debt is repaid at the refill rate", () => {
    const bucket = new TokenBucket(100, 100, 0);
    bucket.take(250, 0);
    expect(bucket.available(0)).toBe(-150);
    expect(bucket.available(1500)).toBe(0);
    expect(bucket.available(2000)).toBe(50);
  });

  it("over any schedule, never grants more than capacity + rate x elapsed", () => {
    const steps = fc.array(fc.record({ waitMs: fc.nat({ max: 300 }), amount: fc.integer({ min: 0, max: 100 }) }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), steps, (ratePerSec, schedule) => {
        const capacity = 100;
        const bucket = new TokenBucket(ratePerSec, capacity, 0);
        let nowMs = 0;
        let granted = 0;
        for (const { waitMs, amount } of schedule) {
          nowMs += waitMs;
          if (bucket.tryTake(amount, nowMs)) granted += amount;
        }
        expect(granted).toBeLessThanOrEqual(capacity + (ratePerSec * nowMs) / 1000);
      }),
    );
  });
});

describe("ShardThrottle", () => {
  const limits: ShardLimits = DEFAULT_SHARD_LIMITS;

  it("allows 1000 records per second and no more", () => {
    const throttle = new ShardThrottle(limits, 0);
    for (let i = 0; i < 1000; i++) expect(throttle.tryWrite(1, 10, 0)).toBe(true);
    expect(throttle.tryWrite(1, 10, 0)).toBe(false);
    expect(throttle.tryWrite(1, 10, 1)).toBe(true);
  });

  it("tryWrite takes from both buckets or from neither (bytes refuse)", () => {
    const throttle = new ShardThrottle(limits, 0);
    expect(throttle.tryWrite(1, MiB, 0)).toBe(true);
    expect(throttle.tryWrite(1, 1, 0)).toBe(false);
    // The refused write took no record token: 999 are left.
    expect(throttle.tryWrite(999, 0, 0)).toBe(true);
    expect(throttle.tryWrite(1, 0, 0)).toBe(false);
  });

  it("tryWrite takes from both buckets or from neither (records refuse)", () => {
    const throttle = new ShardThrottle(limits, 0);
    expect(throttle.tryWrite(1000, 0, 0)).toBe(true);
    expect(throttle.tryWrite(1, MiB, 0)).toBe(false);
    // The refused write took no bytes: a whole MiB is still there once a record token refills.
    expect(throttle.tryWrite(1, MiB, 1)).toBe(true);
  });

  it("allows 5 read calls per second", () => {
    const throttle = new ShardThrottle(limits, 0);
    for (let i = 0; i < 5; i++) expect(throttle.tryReadCall(0)).toBe(true);
    expect(throttle.tryReadCall(0)).toBe(false);
    expect(throttle.tryReadCall(199)).toBe(false);
    expect(throttle.tryReadCall(200)).toBe(true);
  });

  it("a big read puts the read bytes in debt and refuses calls until it is repaid", () => {
    const throttle = new ShardThrottle(limits, 0);
    expect(throttle.tryReadCall(0)).toBe(true);
    throttle.chargeRead(3 * 2 * MiB, 0);
    // Bytes are at -4 MiB; 2 MiB/s repays it in 2 s, and at exactly zero calls are still refused.
    expect(throttle.tryReadCall(1000)).toBe(false);
    expect(throttle.tryReadCall(2000)).toBe(false);
    expect(throttle.tryReadCall(2001)).toBe(true);
  });

  it("takes its limits from configuration", () => {
    const throttle = new ShardThrottle({ ...limits, writeRecordsPerSec: 2 }, 0);
    expect(throttle.tryWrite(2, 1, 0)).toBe(true);
    expect(throttle.tryWrite(1, 1, 0)).toBe(false);
    expect(throttle.tryWrite(1, 1, 500)).toBe(true);
  });
});

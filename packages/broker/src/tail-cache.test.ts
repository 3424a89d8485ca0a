import { describe, expect, it } from "vitest";
import { ByteBudget } from "./budget.js";
import { TailCache, type CachedEntry } from "./tail-cache.js";

const entry = (index: number, bytes = 10): CachedEntry => ({ index, timestampMs: index, records: [], bytes });

function indexesFrom(cache: TailCache, index: number): number[] | undefined {
  const window = cache.from(index);
  return window?.entries.slice(window.start).map((e) => e!.index);
}

describe("TailCache", () => {
  it("keeps the newest entries within its byte bound and serves windows from any cached index", () => {
    const cache = new TailCache(35);
    for (let i = 1; i <= 5; i++) cache.push(entry(i));
    expect(cache.firstIndex()).toBe(3);
    expect(indexesFrom(cache, 4)).toEqual([4, 5]);
    expect(indexesFrom(cache, 2)).toBeUndefined();
  });

  it("caches sharing a budget stay within it together: the shard that pushes evicts its own oldest", () => {
    const budget = new ByteBudget(50);
    const quiet = new TailCache(1000, budget);
    const busy = new TailCache(1000, budget);
    for (let i = 1; i <= 3; i++) quiet.push(entry(i));
    for (let i = 1; i <= 10; i++) busy.push(entry(i));
    expect(budget.used).toBe(50);
    expect(indexesFrom(quiet, 1)).toEqual([1, 2, 3]);
    expect(indexesFrom(busy, 9)).toEqual([9, 10]);
    expect(busy.firstIndex()).toBe(9);
    // A closing shard gives its bytes back.
    quiet.clear();
    expect(budget.used).toBe(20);
    expect(quiet.firstIndex()).toBeUndefined();
  });

  it("keeps one entry larger than the whole bound", () => {
    const cache = new TailCache(5);
    cache.push(entry(1, 100));
    expect(indexesFrom(cache, 1)).toEqual([1]);
    cache.push(entry(2, 100));
    expect(indexesFrom(cache, 1)).toBeUndefined();
    expect(indexesFrom(cache, 2)).toEqual([2]);
  });

  it("evicts below a trim point and stays correct across compactions of its array", () => {
    const cache = new TailCache(10 * 50);
    for (let i = 1; i <= 5_000; i++) cache.push(entry(i));
    expect(cache.firstIndex()).toBe(4_951);
    expect(indexesFrom(cache, 4_999)).toEqual([4_999, 5_000]);
    cache.evictBelow(4_990);
    expect(cache.firstIndex()).toBe(4_990);
    cache.evictBelow(10_000);
    expect(cache.firstIndex()).toBeUndefined();
    cache.push(entry(5_001));
    expect(indexesFrom(cache, 5_001)).toEqual([5_001]);
  });
});

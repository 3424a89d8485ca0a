import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { TempStore } from "./test-support.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

describe("metadata store", () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await TempStore.create();
  });
  afterEach(async () => {
    await temp.dispose();
  });

  it("puts, gets and deletes values, and they survive a reopen", async () => {
    const { meta } = temp.store;
    expect(await meta.get("broker/id")).toBeUndefined();
    await meta.put("broker/id", bytes("b-1"));
    await meta.put("broker/zone", bytes("zone-a"), false);
    await meta.put("broker/gone", bytes("x"));
    await meta.delete("broker/gone");
    const reopened = await temp.reopen();
    expect(text(await reopened.meta.get("broker/id"))).toBe("b-1");
    expect(text(await reopened.meta.get("broker/zone"))).toBe("zone-a");
    expect(await reopened.meta.get("broker/gone")).toBeUndefined();
  });

  it("lists entries by prefix, in key order, with whole keys, and nothing outside the prefix", async () => {
    const { meta } = temp.store;
    for (const key of ["a/2", "a/1", "a/é", "a", "a0", "b/1", "a/"]) await meta.put(key, bytes(`v:${key}`));
    const listed = await meta.entries("a/");
    expect(listed.map(([key]) => key)).toEqual(["a/", "a/1", "a/2", "a/é"]);
    expect(listed.map(([, value]) => text(value))).toEqual(["v:a/", "v:a/1", "v:a/2", "v:a/é"]);
    expect((await meta.entries("")).map(([key]) => key)).toEqual(["a", "a/", "a/1", "a/2", "a/é", "a0", "b/1"]);
    expect(await meta.entries("zz")).toEqual([]);
  });

  it("applies a batch atomically and in order", async () => {
    const { meta } = temp.store;
    await meta.put("lease/1", bytes("old"));
    await meta.batch([
      { type: "put", key: "lease/1", value: bytes("new") },
      { type: "put", key: "lease/2", value: bytes("two") },
      { type: "del", key: "lease/1" },
      { type: "put", key: "lease/1", value: bytes("newest") },
    ]);
    expect((await meta.entries("lease/")).map(([key, value]) => [key, text(value)])).toEqual([
      ["lease/1", "newest"],
      ["lease/2", "two"],
    ]);
  });

  it("keeps metadata apart from group logs", async () => {
    await temp.store.meta.put("x", bytes("y"));
    expect(await temp.store.groupIds()).toEqual([]);
    const log = await temp.store.group(0x10);
    expect(log.lastIndex()).toBe(0);
  });
});

import { afterEach, describe, expect, it } from "vitest";

import { Store } from "./store.js";
import { TempStore, entriesRange, removeDir, tempDir } from "./test-support.js";

describe("Store", () => {
  let temp: TempStore | undefined;
  afterEach(async () => {
    await temp?.dispose();
    temp = undefined;
  });

  it("hands every caller the same GroupLog, even while it is opening", async () => {
    temp = await TempStore.create({ cacheSizeBytes: 1 << 20, writeBufferSizeBytes: 1 << 20 });
    const [a, b] = await Promise.all([temp.store.group(4), temp.store.group(4)]);
    expect(a).toBe(b);
    expect(await temp.store.group(4)).toBe(a);
    expect(a.groupId).toBe(4);
  });

  it("lists group ids from their keys, with one seek per group rather than per entry", async () => {
    temp = await TempStore.create();
    const { store } = temp;
    const withEntries = await store.group(7);
    await withEntries.append(
      entriesRange(1, 2001, 1, (i) => i),
      undefined,
      false,
    );
    await (await store.group(3)).append([], { term: 1, vote: "", commitIndex: 0 }, true);
    const trimmedEmpty = await store.group(12);
    await trimmedEmpty.append(
      entriesRange(1, 3, 1, (i) => i),
      undefined,
      false,
    );
    await trimmedEmpty.trimBefore(100);
    await store.group(99); // Opened but never written: it has no keys.
    await store.meta.put("group/5", new Uint8Array([1]));
    expect(await store.groupIds()).toEqual([3, 7, 12]);
    expect(await (await temp.reopen()).groupIds()).toEqual([3, 7, 12]);
  });

  it("waits for queued writes before closing", async () => {
    const dir = await tempDir();
    try {
      const store = await Store.open(dir);
      const log = await store.group(1);
      const appended = log.append(
        entriesRange(1, 501, 1, (i) => i),
        undefined,
        false,
      );
      await store.close();
      await appended;
      const reopened = await Store.open(dir);
      expect((await reopened.group(1)).lastIndex()).toBe(500);
      await reopened.close();
      expect(() => reopened.group(1)).toThrow(/closed store/);
    } finally {
      await removeDir(dir);
    }
  });

  it("refuses a second open of the same directory while the first holds it", async () => {
    temp = await TempStore.create();
    await expect(Store.open(temp.dir)).rejects.toThrow();
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store } from "./store.js";
import { OpsBatch } from "./write-coalescer.js";

describe("WriteCoalescer", () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "eddy-coalescer-"));
    store = await Store.open(dir);
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes of one event-loop turn go together as one batch; each write lands whole", async () => {
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.write(
        new OpsBatch().put(Uint8Array.of(0x20, i), Uint8Array.of(i)).put(Uint8Array.of(0x21, i), Uint8Array.of(i)),
        i % 5 === 0,
      ),
    );
    await Promise.all(writes);
    expect(store.writes.writes).toBe(20);
    expect(store.writes.batches).toBe(1);
    const values = await store.db.getMany(Array.from({ length: 20 }, (_, i) => Uint8Array.of(0x21, i)));
    expect(values.map((v) => v?.[0])).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("a failed batch fails every write in it, and the next batch is written", async () => {
    const bad = new OpsBatch().put(Uint8Array.of(0x20, 1), Uint8Array.of(1));
    // A key LevelDB refuses (null) makes the whole batch fail.
    (bad.ops as unknown as Array<{ key: unknown }>)[0]!.key = null;
    await store.write(new OpsBatch().put(Uint8Array.of(0x20, 0), Uint8Array.of(0)), false);
    const failing = store.write(bad, false);
    const sharing = store.write(new OpsBatch().put(Uint8Array.of(0x20, 2), Uint8Array.of(2)), false);
    await expect(failing).rejects.toThrow();
    await expect(sharing).rejects.toThrow();
    await store.write(new OpsBatch().put(Uint8Array.of(0x20, 3), Uint8Array.of(3)), true);
    expect([...(await store.db.get(Uint8Array.of(0x20, 3)))!]).toEqual([3]);
    expect(await store.db.get(Uint8Array.of(0x20, 2))).toBeUndefined();
  });

  it("writes that arrive while a batch is in flight go together as the next one", async () => {
    const first = store.write(new OpsBatch().put(Uint8Array.of(0x20, 0), Uint8Array.of(0)), true);
    // The first batch is on its way to LevelDB once the turn ends; these come in the next turn.
    await new Promise((resolve) => setImmediate(resolve));
    const later = Array.from({ length: 5 }, (_, i) =>
      store.write(new OpsBatch().put(Uint8Array.of(0x20, i + 1), Uint8Array.of(i + 1)), false),
    );
    await Promise.all([first, ...later]);
    expect(store.writes.writes).toBe(6);
    expect(store.writes.batches).toBe(2);
  });
});

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { Store } from "./store.js";
import { dataFor, removeDir, tempDir } from "./test-support.js";

const WRITER = fileURLToPath(new URL("./testdata/crash-writer.mjs", import.meta.url));
const SNAPSHOT_WRITER = fileURLToPath(new URL("./testdata/snapshot-writer.mjs", import.meta.url));
const DIST_INDEX = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const GROUP_ID = 7;
const ACKS_BEFORE_KILL = 200;
const DATA_BYTES = 100;

/**
 * Runs the writer until it has acknowledged ACKS_BEFORE_KILL batches, SIGKILLs it, and returns the
 * highest index it acknowledged, counting acks still in the pipe when it died.
 */
async function runWriterAndKill(dir: string): Promise<{ acks: number; maxAckedIndex: number }> {
  const child = spawn(process.execPath, [WRITER, DIST_INDEX, dir, String(GROUP_ID)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  let acks = 0;
  let maxAckedIndex = 0;
  let killed = false;
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    acks += 1;
    maxAckedIndex = Math.max(maxAckedIndex, Number(line));
    if (acks >= ACKS_BEFORE_KILL && !killed) killed = child.kill("SIGKILL");
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (c, s) => resolve([c, s])),
  );
  expect({ killed, code, signal, stderr }).toEqual({ killed: true, code: null, signal: "SIGKILL", stderr: "" });
  return { acks, maxAckedIndex };
}

/** Must match stateFor() in testdata/snapshot-writer.mjs. */
function stateFor(index: number): Uint8Array {
  const data = new Uint8Array(64 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (index * 13 + i) & 0xff;
  return data;
}

/**
 * Runs the snapshot writer until it starts the compaction after entry `killAtIndex` (its "a" line for
 * that index is printed just before the compaction begins), SIGKILLs it there, and returns the highest
 * appended and compacted indexes it acknowledged.
 */
async function runSnapshotWriterAndKill(
  dir: string,
  killAtIndex: number,
): Promise<{ maxAppended: number; maxCompacted: number }> {
  const child = spawn(process.execPath, [SNAPSHOT_WRITER, DIST_INDEX, dir, String(GROUP_ID)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  let maxAppended = 0;
  let maxCompacted = 0;
  let killed = false;
  createInterface({ input: child.stdout }).on("line", (line) => {
    const [kind, index] = [line.slice(0, 1), Number(line.slice(2))];
    if (kind === "a") maxAppended = Math.max(maxAppended, index);
    else maxCompacted = Math.max(maxCompacted, index);
    if (kind === "a" && index >= killAtIndex && !killed) killed = child.kill("SIGKILL");
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (c, s) => resolve([c, s])),
  );
  expect({ killed, code, signal, stderr }).toEqual({ killed: true, code: null, signal: "SIGKILL", stderr: "" });
  return { maxAppended, maxCompacted };
}

describe("crash safety", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("every acknowledged synced append survives SIGKILL of the writer, twice over", async () => {
    expect(existsSync(DIST_INDEX), `${DIST_INDEX} missing: run npx tsc -b packages/storage`).toBe(true);
    for (let round = 1; round <= 2; round++) {
      const { acks, maxAckedIndex } = await runWriterAndKill(dir);
      expect(acks).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

      const store = await Store.open(dir);
      try {
        const log = await store.group(GROUP_ID);
        expect(log.lastIndex()).toBeGreaterThanOrEqual(maxAckedIndex);
        expect(log.hardState().commitIndex).toBeGreaterThanOrEqual(maxAckedIndex);
        // Reading verifies every entry's CRC; any mismatch would throw CorruptDataException.
        const entries = await log.entries(1, maxAckedIndex + 1, Infinity);
        expect(entries.map((e) => e.index)).toEqual(Array.from({ length: maxAckedIndex }, (_, i) => i + 1));
        for (const e of entries) expect(Buffer.compare(e.data, dataFor(e.index, DATA_BYTES))).toBe(0);
      } finally {
        await store.close();
      }
    }
  }, 60_000);

  it("a compaction with snapshot data killed at any point leaves the old snapshot and log or the new ones", async () => {
    expect(existsSync(DIST_INDEX), `${DIST_INDEX} missing: run npx tsc -b packages/storage`).toBe(true);
    // Each round kills the writer as a compaction starts (the writer compacts after every 200th entry),
    // after a few compactions of its own, so it lands before, in and after the compaction's batch.
    for (const killAtIndex of [400, 1_000, 1_600, 2_200]) {
      const { maxAppended, maxCompacted } = await runSnapshotWriterAndKill(dir, killAtIndex);
      const store = await Store.open(dir);
      try {
        const log = await store.group(GROUP_ID);
        const { meta, data } = await log.snapshot();
        expect(meta.index).toBeGreaterThanOrEqual(maxCompacted);
        expect(meta.index).toBeGreaterThan(0);
        expect(Buffer.compare(data, stateFor(meta.index))).toBe(0);
        // The log continues right after the snapshot, whole, with every acknowledged entry.
        expect(log.firstIndex()).toBe(meta.index + 1);
        expect(log.lastIndex()).toBeGreaterThanOrEqual(maxAppended);
        const entries = await log.entries(log.firstIndex(), log.lastIndex() + 1, Infinity);
        expect(entries.map((e) => e.index)).toEqual(
          Array.from({ length: log.lastIndex() - meta.index }, (_, i) => meta.index + 1 + i),
        );
        for (const e of entries) expect(Buffer.compare(e.data, dataFor(e.index, DATA_BYTES))).toBe(0);
        expect((await log.restoredState(meta.index)).appliedIndex).toBe(meta.index);
      } finally {
        await store.close();
      }
    }
  }, 60_000);
});

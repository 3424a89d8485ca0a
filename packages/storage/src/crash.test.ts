import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { Store } from "./store.js";
import { dataFor, removeDir, tempDir } from "./test-support.js";

const WRITER = fileURLToPath(new URL("./testdata/crash-writer.mjs", import.meta.url));
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
});

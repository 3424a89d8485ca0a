// Appends synced batches to one group forever and, every COMPACT_EVERY entries, compacts the log up to
// MARGIN entries behind its end with snapshot data, as the controller does. It prints "a <last index>"
// once an append has resolved and "c <index>" once a compaction has; the crash test SIGKILLs it at a
// random moment and checks that the snapshot and the log it finds agree.
//
// Usage: node snapshot-writer.mjs <path of @eddy/storage dist/index.js> <store dir> <group id>

import { pathToFileURL } from "node:url";

const [distIndex, dir, groupIdArg] = process.argv.slice(2);
const { Store } = await import(pathToFileURL(distIndex).href);

const ENTRIES_PER_BATCH = 50;
const COMPACT_EVERY = 200;
const MARGIN = 30;
const DATA_BYTES = 100;
const STATE_BYTES = 64 * 1024;
const RECORDS_TYPE = 1;
const CONF = { voters: ["a"], learners: [] };

/** Must match dataFor() in test-support.ts. */
function dataFor(index) {
  const data = new Uint8Array(DATA_BYTES);
  for (let i = 0; i < DATA_BYTES; i++) data[i] = (index * 31 + i * 7) & 0xff;
  return data;
}

/** Must match stateFor() in crash.test.ts. */
function stateFor(index) {
  const data = new Uint8Array(STATE_BYTES);
  for (let i = 0; i < STATE_BYTES; i++) data[i] = (index * 13 + i) & 0xff;
  return data;
}

const store = await Store.open(dir);
const log = await store.group(Number(groupIdArg));
for (let next = log.lastIndex() + 1; ; next += ENTRIES_PER_BATCH) {
  const entries = [];
  for (let index = next; index < next + ENTRIES_PER_BATCH; index++) {
    entries.push({ index, term: 1, type: RECORDS_TYPE, timestampMs: Date.now(), data: dataFor(index) });
  }
  const last = next + ENTRIES_PER_BATCH - 1;
  await log.append(entries, { term: 1, vote: "", commitIndex: last }, true);
  process.stdout.write(`a ${last}\n`);
  if (last % COMPACT_EVERY === 0) {
    const index = last - MARGIN;
    await log.compact({ index, term: 1, conf: CONF }, stateFor(index));
    process.stdout.write(`c ${index}\n`);
  }
}

// Appends synced batches to one group forever, printing the last index of each batch once append()
// has resolved, i.e. once the batch is acknowledged as durable. The crash test SIGKILLs this process
// mid-stream and checks that every printed index survived.
//
// Usage: node crash-writer.mjs <path of @eddy/storage dist/index.js> <store dir> <group id>

import { pathToFileURL } from "node:url";

const [distIndex, dir, groupIdArg] = process.argv.slice(2);
const { Store } = await import(pathToFileURL(distIndex).href);

const ENTRIES_PER_BATCH = 3;
const DATA_BYTES = 100;
const RECORDS_TYPE = 1;

/** Must match dataFor() in test-support.ts. */
function dataFor(index) {
  const data = new Uint8Array(DATA_BYTES);
  for (let i = 0; i < DATA_BYTES; i++) data[i] = (index * 31 + i * 7) & 0xff;
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
  process.stdout.write(`${last}\n`);
}

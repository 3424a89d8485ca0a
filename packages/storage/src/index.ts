export { Store, type StoreOptions } from "./store.js";
export { GroupLog, TRIM_CHUNK_ENTRIES, type Db } from "./group-log.js";
export { MetaStore, type MetaOp } from "./meta-store.js";
export { decodeEntryValue, encodeEntryValue, ENTRY_HEADER_BYTES } from "./codec.js";

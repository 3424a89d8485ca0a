export {
  EddyClient,
  DEFAULT_ENDPOINT,
  DEFAULT_DEADLINE_MS,
  STREAM_ACTIVE_POLL_INTERVAL_MS,
  toKinesisError,
  type EddyClientOptions,
} from "./client.js";
export type * from "./types.js";

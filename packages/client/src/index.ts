export {
  EddyClient,
  DEFAULT_ENDPOINT,
  DEFAULT_DEADLINE_MS,
  STREAM_ACTIVE_POLL_INTERVAL_MS,
  toKinesisError,
  type EddyClientOptions,
} from "./client.js";
export {
  ROUTED_STREAMS_MAX,
  ROUTE_TTL_MS,
  ROUTE_RELOAD_INTERVAL_MIN_MS,
  ROUTED_CHANNELS_MAX,
  ITERATOR_ROUTES_MAX,
  DOWN_ADDRESS_MS,
} from "./routing.js";
export type * from "./types.js";

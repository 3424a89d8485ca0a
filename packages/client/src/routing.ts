/**
 * The client's map of a cluster: per stream, each shard's hash key range and the address of the broker
 * that leads it, as ListShards reports them, and the channels to those brokers. A route is only a hint:
 * every broker forwards a call to the shard's leader, so a stale route costs a forward or one retry,
 * never a wrong answer.
 */
import { ERROR_METADATA_KEY, grpc, isServiceError } from "@eddy/api";
import type * as wire from "@eddy/api";
import { KinesisError, hashKeyOf, parseHashKey, validatePutRecordsRequest } from "@eddy/core";

/** At most this many streams' routes are cached; the least recently used is dropped. */
export const ROUTED_STREAMS_MAX = 1_000;
/** Routes older than this are reloaded in the background (and used meanwhile): leaders move without telling. */
export const ROUTE_TTL_MS = 10_000;
/** A stream's routes are reloaded at most this often, so that failing calls cannot flood ListShards. */
export const ROUTE_RELOAD_INTERVAL_MIN_MS = 250;
/** Channels to brokers other than the configured endpoints; the least recently used is closed. */
export const ROUTED_CHANNELS_MAX = 64;
/** Iterators this client handed out whose shard it remembers, to send GetRecords to the shard's leader. */
export const ITERATOR_ROUTES_MAX = 10_000;
/** A broker that could not be reached is not routed to for this long; calls go through an endpoint. */
export const DOWN_ADDRESS_MS = 1_000;
/** Brokers remembered as down. */
export const DOWN_ADDRESSES_MAX = 256;

/** A Map that keeps at most `capacity` entries, dropping the least recently used. */
export class LruMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Re-inserted, it becomes the most recently used: a Map iterates in insertion order.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Without touching the entry's recency. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Returns the entry dropped to make room, if any. */
  set(key: K, value: V): [K, V] | undefined {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size <= this.capacity) return undefined;
    const oldest = this.#entries.entries().next().value as [K, V];
    this.#entries.delete(oldest[0]);
    return oldest;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  values(): IterableIterator<V> {
    return this.#entries.values();
  }

  clear(): void {
    this.#entries.clear();
  }
}

// ---- Routes ----

export interface ShardRoute {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
  readonly open: boolean;
  /** Parent and adjacent parent (a reshard's lineage); empty for a shard the stream was created with. */
  readonly parentShardIds: readonly string[];
  /** host:port of the shard's leader as the answering broker knew it; undefined when it did not know. */
  readonly leaderAddress: string | undefined;
}

export interface StreamRoute {
  readonly shards: readonly ShardRoute[];
  readonly byShardId: ReadonlyMap<string, ShardRoute>;
  readonly loadedAtMs: number;
  /** Whether every open shard's leader was known (not, say, while one was being elected). */
  readonly complete: boolean;
}

export function streamRouteFromWire(shards: readonly wire.Shard__Output[], loadedAtMs: number): StreamRoute {
  const routes = shards.map((shard): ShardRoute => {
    const range = shard.hash_key_range;
    if (range === null) throw badRoute(`shard ${shard.shard_id} has no hash_key_range`);
    let startingHashKey: bigint;
    let endingHashKey: bigint;
    try {
      startingHashKey = parseHashKey(range.starting_hash_key, "starting_hash_key");
      endingHashKey = parseHashKey(range.ending_hash_key, "ending_hash_key");
    } catch (err) {
      throw badRoute(`shard ${shard.shard_id} has a malformed hash key range: ${(err as Error).message}`);
    }
    return {
      shardId: shard.shard_id,
      startingHashKey,
      endingHashKey,
      open: (shard.sequence_number_range?.ending_sequence_number ?? "") === "",
      parentShardIds: [shard.parent_shard_id, shard.adjacent_parent_shard_id].filter((p) => p !== ""),
      leaderAddress: shard.leader_address === "" ? undefined : shard.leader_address,
    };
  });
  return {
    shards: routes,
    byShardId: new Map(routes.map((r) => [r.shardId, r])),
    loadedAtMs,
    complete: routes.every((r) => !r.open || r.leaderAddress !== undefined),
  };
}

function badRoute(problem: string): KinesisError {
  return new KinesisError("InternalFailure", `the broker's ListShards answer breaks the API: ${problem}`);
}

/**
 * The open shard a record goes to, computed as the broker does: MD5 of the partition key, or the explicit
 * hash key. Undefined for a hash key the broker would reject: it is sent as is, and the broker says why.
 */
export function shardForRecord(
  route: StreamRoute,
  partitionKey: string,
  explicitHashKey: string | undefined,
): ShardRoute | undefined {
  let hashKey: bigint;
  try {
    hashKey = explicitHashKey ? parseHashKey(explicitHashKey, "ExplicitHashKey") : hashKeyOf(partitionKey);
  } catch {
    return undefined;
  }
  return route.shards.find((s) => s.open && s.startingHashKey <= hashKey && hashKey <= s.endingHashKey);
}

/**
 * The positions of a PutRecords request's entries, grouped by the address of their shard's leader.
 * Undefined when the request must go through an endpoint whole: an entry whose shard or leader is not
 * known, or a request the broker rejects as a whole (split, its parts might each pass).
 */
export function groupByLeader(
  route: StreamRoute,
  records: readonly { readonly partitionKey: string; readonly data: Uint8Array; readonly explicitHashKey?: string }[],
): Map<string, number[]> | undefined {
  try {
    const totalBytes = records.reduce((n, r) => n + r.data.length + Buffer.byteLength(r.partitionKey), 0);
    validatePutRecordsRequest(records.length, totalBytes);
  } catch {
    return undefined;
  }
  const groups = new Map<string, number[]>();
  for (let position = 0; position < records.length; position++) {
    const record = records[position]!;
    const leader = shardForRecord(route, record.partitionKey, record.explicitHashKey)?.leaderAddress;
    if (leader === undefined) return undefined;
    let positions = groups.get(leader);
    if (!positions) groups.set(leader, (positions = []));
    positions.push(position);
  }
  return groups;
}

interface RouteEntry {
  route: StreamRoute | undefined;
  loading: Promise<void> | undefined;
  /** Whether a load has finished (well or not): until then, calls wait for the first one. */
  loaded: boolean;
  lastLoadStartedAtMs: number;
  /** Bumped by `invalidate`, so that a load that was already under way does not bring a stale route back. */
  generation: number;
  /** A reload asked for too soon after the last, waiting for its turn. */
  scheduled: NodeJS.Timeout | undefined;
}

/**
 * The route cache: a stream's routes are loaded (by `load`, ListShards through an endpoint) at its first
 * use, which waits for them; later uses get the cached routes at once, and stale or missing routes are
 * reloaded in the background. A load that fails leaves the stream without routes: calls then go through
 * an endpoint, as without routing.
 */
export class RouteTable {
  readonly #entries = new LruMap<string, RouteEntry>(ROUTED_STREAMS_MAX);
  readonly #load: (streamName: string) => Promise<StreamRoute>;

  constructor(load: (streamName: string) => Promise<StreamRoute>) {
    this.#load = load;
  }

  async get(streamName: string): Promise<StreamRoute | undefined> {
    let entry = this.#entries.get(streamName);
    if (entry === undefined) {
      entry = {
        route: undefined,
        loading: undefined,
        loaded: false,
        lastLoadStartedAtMs: 0,
        generation: 0,
        scheduled: undefined,
      };
      this.#entries.set(streamName, entry);
      this.#reload(streamName, entry);
    }
    if (!entry.loaded && entry.loading) {
      await entry.loading;
      return entry.route;
    }
    const route = entry.route;
    if (route === undefined || !route.complete || Date.now() - route.loadedAtMs >= ROUTE_TTL_MS) {
      this.refresh(streamName);
    }
    return route;
  }

  /** The cached routes, without loading or touching anything. */
  peek(streamName: string): StreamRoute | undefined {
    return this.#entries.peek(streamName)?.route;
  }

  /** Drops the stream's routes (its calls go through an endpoint until they are reloaded). */
  invalidate(streamName: string): void {
    const entry = this.#entries.peek(streamName);
    if (entry === undefined) return;
    entry.route = undefined;
    entry.generation += 1;
  }

  /** Forgets the stream altogether: its next use loads its routes again and waits for them. */
  forget(streamName: string): void {
    const entry = this.#entries.peek(streamName);
    if (entry !== undefined) clearTimeout(entry.scheduled);
    this.#entries.delete(streamName);
  }

  /**
   * Reloads the stream's routes in the background, unless a load is under way (whose result then
   * stands); one asked for within ROUTE_RELOAD_INTERVAL_MIN_MS of the last starts when that has passed.
   */
  refresh(streamName: string): void {
    const entry = this.#entries.peek(streamName);
    if (entry === undefined || entry.loading || entry.scheduled) return;
    const waitMs = entry.lastLoadStartedAtMs + ROUTE_RELOAD_INTERVAL_MIN_MS - Date.now();
    if (waitMs <= 0) {
      this.#reload(streamName, entry);
      return;
    }
    entry.scheduled = setTimeout(() => {
      entry.scheduled = undefined;
      if (this.#entries.peek(streamName) === entry && !entry.loading) this.#reload(streamName, entry);
    }, waitMs);
    // A pending reload must not keep the process alive.
    entry.scheduled.unref();
  }

  clear(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.scheduled);
    this.#entries.clear();
  }

  #reload(streamName: string, entry: RouteEntry): void {
    const generation = entry.generation;
    entry.lastLoadStartedAtMs = Date.now();
    entry.loading = this.#load(streamName).then(
      (route) => {
        if (entry.generation === generation) entry.route = route;
      },
      () => {
        // The stream keeps no routes; its calls go through an endpoint, whose answer says what is wrong.
      },
    );
    void entry.loading.finally(() => {
      entry.loading = undefined;
      entry.loaded = true;
    });
  }
}

// ---- Channels ----

export interface Channel {
  readonly address: string;
  readonly stub: wire.StreamsClient;
  calls: number;
  /** Dropped from the pool while in use: closed when its last call ends. */
  evicted: boolean;
}

/**
 * One channel per broker address. The configured endpoints' channels stay for the client's life; the
 * others (leaders learnt from routes) are bounded, the least recently used closed once idle.
 */
export class ChannelPool {
  readonly #pinned = new Map<string, Channel>();
  readonly #routed = new LruMap<string, Channel>(ROUTED_CHANNELS_MAX);
  readonly #open: (address: string) => wire.StreamsClient;
  #closed = false;

  constructor(endpoints: readonly string[], open: (address: string) => wire.StreamsClient) {
    this.#open = open;
    for (const address of endpoints) this.#pinned.set(address, newChannel(address, open(address)));
  }

  /** The channel to `address`, counted as in use until `release`. */
  acquire(address: string): Channel {
    let channel = this.#pinned.get(address) ?? this.#routed.get(address);
    if (channel === undefined) {
      channel = newChannel(address, this.#open(address));
      if (this.#closed) {
        // Its calls fail at once, as every call of a closed client does.
        channel.stub.close();
      } else {
        const dropped = this.#routed.set(address, channel);
        if (dropped) {
          dropped[1].evicted = true;
          if (dropped[1].calls === 0) dropped[1].stub.close();
        }
      }
    }
    channel.calls += 1;
    return channel;
  }

  release(channel: Channel): void {
    channel.calls -= 1;
    if (channel.evicted && channel.calls === 0) channel.stub.close();
  }

  /** Closes every channel; calls in flight fail, later ones fail at once. */
  close(): void {
    this.#closed = true;
    for (const channel of [...this.#pinned.values(), ...this.#routed.values()]) channel.stub.close();
    this.#routed.clear();
  }
}

function newChannel(address: string, stub: wire.StreamsClient): Channel {
  return { address, stub, calls: 0, evicted: false };
}

// ---- Failures ----

function grpcCause(failure: KinesisError): grpc.ServiceError | undefined {
  return isServiceError(failure.cause) ? failure.cause : undefined;
}

/**
 * UNAVAILABLE from grpc-js itself rather than a broker's answer (a broker names its error in the
 * trailers): the connection failed or dropped, so the broker at the other end is down or unreachable.
 */
export function isConnectionFailure(failure: KinesisError): boolean {
  const cause = grpcCause(failure);
  return (
    failure.name === "ServiceUnavailableException" &&
    cause?.code === grpc.status.UNAVAILABLE &&
    cause.metadata.get(ERROR_METADATA_KEY).length === 0
  );
}

/**
 * The call's deadline passed without an answer from the broker (not a broker's own error): a frozen or
 * overloaded broker looks like this, and a live one answers its next call anyway.
 */
export function isTimeout(failure: KinesisError): boolean {
  const cause = grpcCause(failure);
  return cause?.code === grpc.status.DEADLINE_EXCEEDED && cause.metadata.get(ERROR_METADATA_KEY).length === 0;
}

/**
 * A connection failure before the call was sent: grpc-js had no connection to put it on ("No connection
 * established"). No broker saw the request, so even a put may be sent again. A connection that drops
 * mid-call ("Connection dropped") does not qualify: the broker may have appended the record.
 */
export function isUnreached(failure: KinesisError): boolean {
  return isConnectionFailure(failure) && (grpcCause(failure)?.details ?? "").startsWith("No connection established");
}

import { randomBytes, randomUUID } from "node:crypto";
import {
  newStream,
  resourceInUse,
  resourceNotFound,
  limitExceeded,
  streamArnOf,
  shardFromJson,
  shardToJson,
  type ShardJson,
  type Stream,
  type StreamMode,
  type StreamStatus,
} from "@eddy/core";
import type { Store } from "@eddy/storage";

/**
 * The broker's metadata: streams and their shards, kept in the store's metadata namespace as JSON
 * (metadata is small and rarely written; the log is what is binary). Mutations are serialized, each one
 * persisted with a synced write before it is visible. In the replicated mode this state moves into the
 * controller's Raft group; the operations keep their shape.
 */
export class Catalog {
  private readonly streams = new Map<string, Stream>();
  private nextGroupId = 1;
  private mutation: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: Store,
    /** Key of the shard-iterator MAC; persisted so iterators survive a restart. */
    readonly iteratorKey: Uint8Array,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  static async open(store: Store, region: string, accountId: string): Promise<Catalog> {
    let iteratorKey = await store.meta.get(KEY_ITERATOR);
    if (!iteratorKey) {
      iteratorKey = randomBytes(32);
      await store.meta.put(KEY_ITERATOR, iteratorKey, true);
    }
    const catalog = new Catalog(store, iteratorKey, region, accountId);
    const nextGroupId = await store.meta.get(KEY_NEXT_GROUP);
    if (nextGroupId) catalog.nextGroupId = Number(new TextDecoder().decode(nextGroupId));
    for (const [, value] of await store.meta.entries(PREFIX_STREAM)) {
      const stream = decodeStream(value);
      catalog.streams.set(stream.streamName, stream);
    }
    return catalog;
  }

  get(streamName: string): Stream | undefined {
    return this.streams.get(streamName);
  }

  /** The stream, or ResourceNotFoundException naming it. */
  require(streamName: string): Stream {
    const stream = this.streams.get(streamName);
    if (!stream) throw resourceNotFound(`Stream ${streamName} under account ${this.accountId} not found.`);
    return stream;
  }

  /** The stream if it is ACTIVE (or UPDATING, which still serves reads and writes). */
  requireServing(streamName: string): Stream {
    const stream = this.require(streamName);
    if (stream.status === "DELETING") throw resourceNotFound(`Stream ${streamName} is being deleted.`);
    if (stream.status === "CREATING") throw resourceInUse(`Stream ${streamName} is still being created.`);
    return stream;
  }

  list(): Stream[] {
    return [...this.streams.values()].sort((a, b) =>
      a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0,
    );
  }

  create(input: {
    streamName: string;
    shardCount: number;
    mode: StreamMode;
    retentionPeriodHours: number;
    maxRecordSizeBytes: number;
    nowMs: number;
    shardCountTotalMax: number;
  }): Promise<Stream> {
    return this.serialized(async () => {
      const existing = this.streams.get(input.streamName);
      if (existing) {
        throw resourceInUse(
          existing.status === "DELETING"
            ? `Stream ${input.streamName} is being deleted; create it again once it is gone.`
            : `Stream ${input.streamName} under account ${this.accountId} already exists.`,
        );
      }
      const openShardTotal = [...this.streams.values()].reduce((n, s) => n + s.shards.length, 0);
      if (openShardTotal + input.shardCount > input.shardCountTotalMax) {
        throw limitExceeded(
          `This request would exceed the shard limit for the account: ${openShardTotal} shards exist, ` +
            `${input.shardCount} requested, limit ${input.shardCountTotalMax}.`,
        );
      }
      const stream = newStream({
        ...input,
        streamId: randomUUID(),
        streamArn: streamArnOf(this.region, this.accountId, input.streamName),
        firstGroupId: this.nextGroupId,
      });
      const nextGroupId = this.nextGroupId + input.shardCount;
      await this.store.meta.batch([
        { type: "put", key: KEY_NEXT_GROUP, value: new TextEncoder().encode(String(nextGroupId)) },
        { type: "put", key: streamKey(stream.streamName), value: encodeStream(stream) },
      ]);
      this.nextGroupId = nextGroupId;
      this.streams.set(stream.streamName, stream);
      return stream;
    });
  }

  setStatus(streamName: string, status: StreamStatus): Promise<Stream> {
    return this.update(streamName, (s) => ({ ...s, status }));
  }

  setRetention(streamName: string, retentionPeriodHours: number): Promise<Stream> {
    return this.update(streamName, (s) => ({ ...s, retentionPeriodHours }));
  }

  setMode(streamName: string, mode: StreamMode): Promise<Stream> {
    return this.update(streamName, (s) => ({ ...s, mode }));
  }

  remove(streamName: string): Promise<void> {
    return this.serialized(async () => {
      await this.store.meta.delete(streamKey(streamName));
      this.streams.delete(streamName);
    });
  }

  private update(streamName: string, change: (stream: Stream) => Stream): Promise<Stream> {
    return this.serialized(async () => {
      const next = change(this.require(streamName));
      await this.store.meta.put(streamKey(streamName), encodeStream(next), true);
      this.streams.set(streamName, next);
      return next;
    });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.mutation.then(work);
    this.mutation = result.catch(() => undefined);
    return result;
  }
}

const KEY_ITERATOR = "broker/iterator-key";
const KEY_NEXT_GROUP = "broker/next-group-id";
const PREFIX_STREAM = "stream/";
const streamKey = (name: string) => PREFIX_STREAM + name;

function encodeStream(stream: Stream): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ ...stream, shards: stream.shards.map(shardToJson) }));
}

function decodeStream(bytes: Uint8Array): Stream {
  const stored = JSON.parse(new TextDecoder().decode(bytes)) as Omit<Stream, "shards"> & { shards: ShardJson[] };
  return { ...stored, shards: stored.shards.map(shardFromJson) };
}

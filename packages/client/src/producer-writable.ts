/**
 * `producer.writable(stream)`: a Node Writable (objectMode) that puts each chunk as one record, so that a
 * file's lines or a socket's messages can be piped into a stream with backpressure.
 */
import { Writable } from "node:stream";
import { KinesisError } from "@eddy/core";
import { toKinesisError } from "./client.js";
import { Fifo } from "./fifo.js";
import type { Producer, ProducerPutResult, ProducerRecord } from "./producer.js";
import type { RecordData } from "./types.js";

/** Records written and not yet reported (acknowledged or failed), per Writable, unless given. */
export const WRITABLE_RECORDS_OUTSTANDING_MAX_DEFAULT = 10_000;

/** What may be written: the data itself, or the data with its own key. */
export type ProducerChunk =
  RecordData | { readonly data: RecordData; readonly partitionKey?: string; readonly explicitHashKey?: string };

export interface ProducerWritableOptions {
  /** Every record's partition key, unless the chunk or `partitionKeyOf` gives one. */
  readonly partitionKey?: string;
  /** The key of a chunk (its 0-based index in the Writable), unless the chunk gives one. */
  readonly partitionKeyOf?: (chunk: ProducerChunk, index: number) => string;
  readonly explicitHashKey?: string;
  /** Called with each record's result, in the order the chunks were written. */
  readonly onResult?: (result: ProducerPutResult, index: number) => void;
  /**
   * Records written and not yet reported, at most: results are reported in write order, so one record
   * being retried holds back the report of those after it; past this many, writes wait.
   */
  readonly recordsOutstandingMax?: number;
  /** Chunks the Writable itself buffers before write() returns false (Node's objectMode default: 16). */
  readonly highWaterMark?: number;
}

interface Outstanding {
  done: boolean;
  result?: ProducerPutResult;
  error?: KinesisError;
}

export class ProducerWritable extends Writable {
  readonly stream: string;
  readonly #producer: Pick<Producer, "enqueue">;
  readonly #options: ProducerWritableOptions;
  readonly #outstandingMax: number;
  readonly #outstanding = new Fifo<Outstanding>();
  #written = 0;
  #reported = 0;
  /** A write's callback, held while too many records are outstanding. */
  #heldCallback: (() => void) | undefined;
  #finalCallback: ((error?: Error | null) => void) | undefined;

  constructor(producer: Pick<Producer, "enqueue">, stream: string, options: ProducerWritableOptions = {}) {
    super({ objectMode: true, highWaterMark: options.highWaterMark });
    this.stream = stream;
    this.#producer = producer;
    this.#options = options;
    this.#outstandingMax = options.recordsOutstandingMax ?? WRITABLE_RECORDS_OUTSTANDING_MAX_DEFAULT;
    if (!(Number.isInteger(this.#outstandingMax) && this.#outstandingMax >= 1)) {
      throw new KinesisError(
        "InvalidArgumentException",
        `recordsOutstandingMax must be a positive integer (got ${this.#outstandingMax})`,
      );
    }
  }

  /** Records written so far, and reported (acknowledged in order) so far. */
  get records(): { readonly written: number; readonly reported: number } {
    return { written: this.#written, reported: this.#reported };
  }

  override _write(chunk: ProducerChunk, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const index = this.#written;
    this.#written += 1;
    const entry: Outstanding = { done: false };
    this.#outstanding.push(entry);
    let record: ProducerRecord;
    try {
      record = this.#recordOf(chunk, index);
    } catch (err) {
      // As a record refused by the producer (below).
      entry.done = true;
      entry.error = toKinesisError(err);
      this.#report();
      return;
    }
    const settle = (result: ProducerPutResult | undefined, error: KinesisError | undefined): void => {
      entry.done = true;
      entry.result = result;
      entry.error = error;
      this.#report();
    };
    this.#producer.enqueue(record).then(
      ({ acknowledged }) => {
        acknowledged.then(
          (result) => settle(result, undefined),
          (error: unknown) => settle(undefined, toKinesisError(error)),
        );
        // The record is in the producer's buffer: the next write may come, unless too many are unreported.
        if (this.#outstanding.length >= this.#outstandingMax) this.#heldCallback = () => callback();
        else callback();
      },
      (error: unknown) => {
        // Refused before it was buffered (bad input, say): no more writes (the callback is never called);
        // the Writable is destroyed with the error once the records written before it are reported.
        settle(undefined, toKinesisError(error));
      },
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#outstanding.length === 0) callback();
    else this.#finalCallback = callback;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#heldCallback = undefined;
    this.#finalCallback = undefined;
    callback(error);
  }

  /** Reports settled records in write order; the first failure destroys the Writable. */
  #report(): void {
    for (let head = this.#outstanding.peek(); head?.done; head = this.#outstanding.peek()) {
      this.#outstanding.shift();
      if (this.destroyed) continue;
      if (head.error !== undefined) {
        this.destroy(head.error);
        continue;
      }
      const index = this.#reported;
      this.#reported += 1;
      this.#options.onResult?.(head.result!, index);
    }
    if (this.destroyed) return;
    const held = this.#heldCallback;
    if (held !== undefined && this.#outstanding.length < this.#outstandingMax) {
      this.#heldCallback = undefined;
      held();
    }
    const final = this.#finalCallback;
    if (final !== undefined && this.#outstanding.length === 0) {
      this.#finalCallback = undefined;
      final();
    }
  }

  #recordOf(chunk: ProducerChunk, index: number): ProducerRecord {
    const own = typeof chunk === "string" || chunk instanceof Uint8Array ? undefined : chunk;
    const data = own === undefined ? (chunk as RecordData) : own.data;
    const partitionKey =
      own?.partitionKey ?? this.#options.partitionKeyOf?.(chunk, index) ?? this.#options.partitionKey;
    if (partitionKey === undefined) {
      throw new KinesisError(
        "InvalidArgumentException",
        `writable(${this.stream}): no partition key for chunk ${index}; give partitionKey or partitionKeyOf, ` +
          `or write { data, partitionKey }`,
      );
    }
    const explicitHashKey = own?.explicitHashKey ?? this.#options.explicitHashKey;
    return { stream: this.stream, partitionKey, data, ...(explicitHashKey !== undefined && { explicitHashKey }) };
  }
}

import { randomBytes } from "node:crypto";
import type { PutRecordsEntry } from "@eddy/client";

/** Distinct random payloads and keys; picked at random per record, so the load generator spends its CPU on calls. */
const PAYLOADS_IN_POOL = 256;
const PARTITION_KEYS_IN_POOL = 4096;

/**
 * Random record data (incompressible, so LevelDB's compression cannot flatter the figures) and random
 * partition keys (spread over the shards by MD5, as real keys are), drawn from pools built once.
 */
export class PayloadPool {
  private readonly payloads: Uint8Array[];
  private readonly partitionKeys: string[];

  constructor(readonly recordBytes: number) {
    const bytes = randomBytes(recordBytes * PAYLOADS_IN_POOL);
    this.payloads = Array.from({ length: PAYLOADS_IN_POOL }, (_, i) =>
      bytes.subarray(i * recordBytes, (i + 1) * recordBytes),
    );
    this.partitionKeys = Array.from({ length: PARTITION_KEYS_IN_POOL }, () => randomBytes(16).toString("hex"));
  }

  /** Shared bytes: never to be modified. */
  data(): Uint8Array {
    return pick(this.payloads);
  }

  partitionKey(): string {
    return pick(this.partitionKeys);
  }

  /** A fresh copy of random data with `sendTimeMs` in its first 8 bytes (float64 little-endian). */
  dataStamped(sendTimeMs: number): Buffer {
    const data = Buffer.allocUnsafe(this.recordBytes);
    data.set(this.data());
    data.writeDoubleLE(sendTimeMs, 0);
    return data;
  }

  batch(recordCount: number): PutRecordsEntry[] {
    return Array.from({ length: recordCount }, () => ({ partitionKey: this.partitionKey(), data: this.data() }));
  }
}

/** The send time written by `dataStamped`, or undefined for data too short to hold one. */
export function readSendTimeMs(data: Uint8Array): number | undefined {
  if (data.length < 8) return undefined;
  return Buffer.from(data.buffer, data.byteOffset, data.length).readDoubleLE(0);
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

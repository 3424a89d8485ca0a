/**
 * Bytes shared by the shards of a broker (tail caches, queued puts), so that many shards cannot add up
 * past one bound: what keeps a broker's memory from growing with its shard count.
 */
export class ByteBudget {
  private usedBytes = 0;

  constructor(readonly bytesMax: number) {}

  get used(): number {
    return this.usedBytes;
  }

  charge(bytes: number): void {
    this.usedBytes += bytes;
  }

  over(): boolean {
    return this.usedBytes > this.bytesMax;
  }

  /** Whether `bytes` more would stay within the bound. */
  fits(bytes: number): boolean {
    return this.usedBytes + bytes <= this.bytesMax;
  }
}

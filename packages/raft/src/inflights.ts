/**
 * The MsgApp messages in flight to one follower, as the last index each carried: a ring buffer with a
 * fixed capacity (the flow-control window of the replicate state, as in etcd raft).
 */
import { assert } from "@eddy/core";

export class Inflights {
  readonly #capacity: number;
  readonly #lastIndexes: number[];
  #start = 0;
  #count = 0;

  constructor(capacity: number) {
    assert(capacity >= 1, "inflight capacity must be at least 1");
    this.#capacity = capacity;
    this.#lastIndexes = new Array<number>(capacity).fill(0);
  }

  get count(): number {
    return this.#count;
  }

  full(): boolean {
    return this.#count === this.#capacity;
  }

  add(lastIndex: number): void {
    assert(!this.full(), "inflights overflow");
    this.#lastIndexes[(this.#start + this.#count) % this.#capacity] = lastIndex;
    this.#count++;
  }

  /** Frees every message whose entries are all at or below `index` (acknowledged). */
  freeLE(index: number): void {
    while (this.#count > 0 && this.#lastIndexes[this.#start]! <= index) this.#freeFirst();
  }

  freeFirstOne(): void {
    if (this.#count > 0) this.#freeFirst();
  }

  reset(): void {
    this.#start = 0;
    this.#count = 0;
  }

  #freeFirst(): void {
    this.#start = (this.#start + 1) % this.#capacity;
    this.#count--;
  }
}

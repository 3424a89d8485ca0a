/**
 * What waits to be sent to one peer. Pure: the transport decides when to take a frame's worth.
 *
 * Messages wait in order, bounded in bytes: over the bound the oldest are dropped (Raft retransmits,
 * and newer messages are the more useful ones). Heartbeats and heartbeat responses wait apart, at
 * most one of each per group, a later one replacing an earlier one, so they cost no bound and are
 * never dropped: it is losing them that would make followers start needless elections.
 */
import { FRAME_FIXED_BYTES_MAX, HEARTBEAT_BYTES_MAX, messageSizeBytes, type GroupMessage } from "./codec.js";

interface Queued {
  readonly item: GroupMessage;
  readonly sizeBytes: number;
}

export class PeerQueue {
  /** Messages other than heartbeats, oldest first from `head`; dropped or taken slots are reclaimed in batches. */
  private messages: Queued[] = [];
  private head = 0;
  private messagesBytes = 0;
  private readonly heartbeats = new Map<number, GroupMessage>();
  private readonly heartbeatResponses = new Map<number, GroupMessage>();
  /** Messages dropped over the bound, since the queue was made. */
  droppedCount = 0;

  constructor(private readonly bytesMax: number) {}

  get queuedBytes(): number {
    return this.messagesBytes;
  }

  /** Messages waiting, heartbeats included. */
  get queuedCount(): number {
    return this.messages.length - this.head + this.heartbeats.size + this.heartbeatResponses.size;
  }

  isEmpty(): boolean {
    return this.queuedCount === 0;
  }

  /** Queues `item`, dropping the oldest messages if it would not fit; drops `item` itself if it never could. */
  push(item: GroupMessage): void {
    const type = item.message.type;
    if (type === "MsgHeartbeat") this.heartbeats.set(item.groupId, item);
    else if (type === "MsgHeartbeatResp") this.heartbeatResponses.set(item.groupId, item);
    else this.pushMessage({ item, sizeBytes: messageSizeBytes(item.message) });
  }

  private pushMessage(queued: Queued): void {
    if (queued.sizeBytes > this.bytesMax) {
      this.droppedCount += 1;
      return;
    }
    while (this.messagesBytes + queued.sizeBytes > this.bytesMax) this.dropOldest();
    this.messages.push(queued);
    this.messagesBytes += queued.sizeBytes;
  }

  private dropOldest(): void {
    this.shift();
    this.droppedCount += 1;
  }

  private shift(): Queued {
    const queued = this.messages[this.head]!;
    this.head += 1;
    this.messagesBytes -= queued.sizeBytes;
    // Reclaim the taken prefix once it is most of the array, so each slot is copied O(1) times.
    if (this.head > 1024 && this.head * 2 > this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.head = 0;
    }
    return queued;
  }

  /**
   * Takes what fits in one frame of `frameBytesMax` (at least one item when any waits). Heartbeats go
   * first: a backlog of appends must not delay them past an election timeout.
   */
  take(frameBytesMax: number): GroupMessage[] {
    const out: GroupMessage[] = [];
    let budgetBytes = frameBytesMax - FRAME_FIXED_BYTES_MAX;
    for (const map of [this.heartbeats, this.heartbeatResponses]) {
      for (const [groupId, item] of map) {
        if (budgetBytes < HEARTBEAT_BYTES_MAX && out.length > 0) return out;
        map.delete(groupId);
        out.push(item);
        budgetBytes -= HEARTBEAT_BYTES_MAX;
      }
    }
    while (this.head < this.messages.length) {
      const next = this.messages[this.head]!;
      if (next.sizeBytes > budgetBytes && out.length > 0) break;
      out.push(this.shift().item);
      budgetBytes -= next.sizeBytes;
    }
    return out;
  }

  /** Drops every message waiting, for a peer that is removed. */
  clear(): void {
    this.messages = [];
    this.head = 0;
    this.messagesBytes = 0;
    this.heartbeats.clear();
    this.heartbeatResponses.clear();
  }
}

/**
 * One gRPC Exchange stream to a peer, dialed or accepted, from its first frame to its end: whether its
 * handshake is done, and how much of it is written but not yet taken by HTTP/2 (its write window).
 */

/** What the transport uses of a gRPC duplex stream, which both sides' stream types provide. */
export interface FrameDuplex {
  write(bytes: Buffer, callback: () => void): boolean;
  on(event: "data", listener: (bytes: Buffer) => void): unknown;
  on(event: "drain", listener: () => void): unknown;
}

/** How a stream is ended, which differs between the two sides of a gRPC call. */
export interface StreamEnding {
  /** Ends the call normally (accepted side: status OK; dialed side: cancel). */
  end(): void;
  /** Ends the call telling the other side why (accepted side: status `code` with `details`; dialed side: cancel). */
  fail(code: number, details: string): void;
}

export class PeerStream<Peer> {
  /** Known from the start on a dialed stream, once the hello is checked on an accepted one. */
  peer: Peer | undefined;
  /** Both hellos exchanged and checked: frames may flow. */
  established = false;
  /** The stream's end has been handled; nothing more is done with it. */
  closed = false;
  /** `write()` said the stream's buffer is full; writing resumes on 'drain'. */
  waitingDrain = false;
  /** Bytes written whose write callback has not come yet. */
  unflushedBytes = 0;
  private ended = false;

  constructor(
    readonly duplex: FrameDuplex,
    readonly dialed: boolean,
    private readonly ending: StreamEnding,
  ) {}

  /** Whether another frame may be written now, given the write window of `windowBytes`. */
  canWrite(windowBytes: number): boolean {
    return this.established && !this.ended && !this.waitingDrain && this.unflushedBytes < windowBytes;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.ending.end();
  }

  fail(code: number, details: string): void {
    if (this.ended) return;
    this.ended = true;
    this.ending.fail(code, details);
  }
}

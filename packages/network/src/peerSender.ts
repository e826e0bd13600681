import type { Stream } from "@libp2p/interface";
import type { NetworkCounters } from "./counters.js";
import { encodeFrame, encodeFrames, FRAME_HEADER_BYTES } from "./frames.js";

export interface PeerSenderOptions {
  maxQueuedFrames: number;
  maxQueuedBytes: number;
  maxBytesPerWrite: number;
  coalesce: boolean;
}

/**
 * The outbound half of one validator link: a bounded queue of encoded messages and the stream
 * they are written to. Frames queued in one tick go out together on the next (`setImmediate`), as
 * few writes as `maxBytesPerWrite` allows: per-write cost dominates in Node (~50 µs each), so
 * coalescing is worth an order of magnitude. When the stream's buffer is full (`send()` returned
 * false) nothing more is written until its `drain` event; meanwhile the queue holds at most
 * `maxQueuedFrames` / `maxQueuedBytes` and drops the oldest frames beyond that (consensus tolerates
 * loss and prefers fresh messages). Frames queued while no stream is attached wait in the same queue.
 */
export class PeerSender {
  readonly #opts: PeerSenderOptions;
  readonly #counters: NetworkCounters;
  #queue: (Uint8Array | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #stream: Stream | undefined;
  #waitingDrain = false;
  #scheduled = false;
  #onWriteError: (stream: Stream, err: unknown) => void;

  constructor(
    opts: PeerSenderOptions,
    counters: NetworkCounters,
    onWriteError: (stream: Stream, err: unknown) => void = () => {},
  ) {
    this.#opts = opts;
    this.#counters = counters;
    this.#onWriteError = onWriteError;
  }

  /** Frames waiting to be written. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  get queuedBytes(): number {
    return this.#bytes;
  }

  get stream(): Stream | undefined {
    return this.#stream;
  }

  /** Queues one encoded message (the frame header is added when writing). */
  enqueue(body: Uint8Array): void {
    const size = body.length + FRAME_HEADER_BYTES;
    if (size > this.#opts.maxQueuedBytes) {
      this.#counters.dropped++;
      return;
    }
    this.#queue.push(body);
    this.#bytes += size;
    while (this.queued > this.#opts.maxQueuedFrames || this.#bytes > this.#opts.maxQueuedBytes) this.#dropOldest();
    this.#schedule();
  }

  /** Starts writing to `stream` (replacing any previous one). */
  attach(stream: Stream): void {
    this.#stream = stream;
    this.#waitingDrain = false;
    this.#schedule();
  }

  /** Stops writing to `stream` (or to whatever is attached); queued frames stay for the next stream. */
  detach(stream?: Stream): void {
    if (stream !== undefined && stream !== this.#stream) return;
    this.#stream = undefined;
    this.#waitingDrain = false;
  }

  /** Forgets every queued frame. */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  #dropOldest(): void {
    const body = this.#queue[this.#head];
    this.#queue[this.#head] = undefined;
    this.#head++;
    if (body) this.#bytes -= body.length + FRAME_HEADER_BYTES;
    this.#counters.dropped++;
    this.#compact();
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#stream === undefined || this.#waitingDrain || this.queued === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const stream = this.#stream;
    if (stream === undefined || this.#waitingDrain) return;
    try {
      while (this.queued > 0) {
        if (stream.writeStatus !== "writable") {
          this.detach(stream);
          return;
        }
        const start = this.#head;
        let end = start + 1;
        let size = this.#queue[start]!.length + FRAME_HEADER_BYTES;
        if (this.#opts.coalesce) {
          while (end < this.#queue.length) {
            const next = this.#queue[end]!.length + FRAME_HEADER_BYTES;
            if (size + next > this.#opts.maxBytesPerWrite) break;
            size += next;
            end++;
          }
        }
        const chunk =
          end - start === 1 ? encodeFrame(this.#queue[start]!) : encodeFrames(this.#queue as Uint8Array[], start, end);
        for (let i = start; i < end; i++) this.#queue[i] = undefined;
        this.#head = end;
        this.#bytes -= size;
        this.#counters.writes++;
        this.#counters.framesWritten += end - start;
        // send() keeps the data even when it returns false; false means "wait for drain".
        if (!stream.send(chunk)) {
          this.#waitingDrain = true;
          stream.addEventListener(
            "drain",
            () => {
              if (this.#stream !== stream) return;
              this.#waitingDrain = false;
              this.#schedule();
            },
            { once: true },
          );
          break;
        }
      }
    } catch (err) {
      // The stream closed under us; the frames of the failed write are lost, the rest wait.
      this.detach(stream);
      this.#onWriteError(stream, err);
    } finally {
      this.#compact();
    }
  }
}

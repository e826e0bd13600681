import { pooledBytes } from "@ordo/types";
import { FrameTooLargeError } from "./errors.js";

/** Every frame on our streams is a 4-byte big-endian length followed by that many bytes. */
export const FRAME_HEADER_BYTES = 4;

/** One frame (header + body) in a fresh buffer. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const out = pooledBytes(FRAME_HEADER_BYTES + body.length);
  new DataView(out.buffer, out.byteOffset, FRAME_HEADER_BYTES).setUint32(0, body.length);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/** Several frames back to back in one buffer: one stream write instead of many. */
export function encodeFrames(bodies: readonly Uint8Array[], start: number, end: number): Uint8Array {
  let total = 0;
  for (let i = start; i < end; i++) total += FRAME_HEADER_BYTES + bodies[i]!.length;
  const out = pooledBytes(total);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let pos = 0;
  for (let i = start; i < end; i++) {
    const body = bodies[i]!;
    view.setUint32(pos, body.length);
    out.set(body, pos + FRAME_HEADER_BYTES);
    pos += FRAME_HEADER_BYTES + body.length;
  }
  return out;
}

/**
 * Splits a byte stream into frames. The length prefix is checked against `maxFrameBytes` as soon as
 * it is complete, before any of the body is buffered, so a peer cannot make us allocate more than
 * the limit. Each body is copied once into a buffer of exactly its size.
 */
export class FrameDecoder {
  readonly #max: number;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFill = 0;
  #body: Uint8Array | undefined;
  #bodyFill = 0;

  constructor(maxFrameBytes: number) {
    this.#max = maxFrameBytes;
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.#headerFill === 0 && this.#body === undefined;
  }

  /**
   * Feeds one chunk; calls `onFrame` for each complete frame, in order.
   * @throws FrameTooLargeError when a length prefix exceeds the limit (the decoder is then unusable).
   */
  push(chunk: Uint8Array, onFrame: (body: Uint8Array) => void): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#body === undefined) {
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, chunk.length - pos);
        this.#header.set(chunk.subarray(pos, pos + take), this.#headerFill);
        this.#headerFill += take;
        pos += take;
        if (this.#headerFill < FRAME_HEADER_BYTES) return;
        const length = new DataView(this.#header.buffer).getUint32(0);
        this.#headerFill = 0;
        if (length > this.#max) throw new FrameTooLargeError(length, this.#max);
        if (length === 0) {
          onFrame(new Uint8Array(0));
          continue;
        }
        // A whole frame inside this chunk: copy it out (decoded messages keep views into their
        // bytes, and they must not pin the transport's larger chunk).
        if (chunk.length - pos >= length) {
          const body = pooledBytes(length);
          body.set(chunk.subarray(pos, pos + length));
          onFrame(body);
          pos += length;
          continue;
        }
        this.#body = pooledBytes(length);
        this.#bodyFill = 0;
      }
      const body = this.#body;
      const take = Math.min(body.length - this.#bodyFill, chunk.length - pos);
      body.set(chunk.subarray(pos, pos + take), this.#bodyFill);
      this.#bodyFill += take;
      pos += take;
      if (this.#bodyFill === body.length) {
        this.#body = undefined;
        onFrame(body);
      }
    }
  }
}

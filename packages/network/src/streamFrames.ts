import type { Stream, StreamMessageEvent } from "@libp2p/interface";
import { StreamEndedError } from "./errors.js";
import { FrameDecoder } from "./frames.js";

/** Calls `fn` on each chunk of a stream `message` event (a Uint8Array or a Uint8ArrayList). */
export function forEachChunk(data: StreamMessageEvent["data"], fn: (chunk: Uint8Array) => void): void {
  if (data instanceof Uint8Array) fn(data);
  else for (const chunk of data) fn(chunk);
}

/**
 * Reads exactly one frame from a request/response stream. Rejects when the length prefix exceeds
 * `maxFrameBytes`, when the stream ends first, when more than one frame arrives, or on `signal`.
 * Never throws from inside the stream's listeners.
 */
export function readOneFrame(stream: Stream, maxFrameBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    const decoder = new FrameDecoder(maxFrameBytes);
    let frame: Uint8Array | undefined;
    let settled = false;
    const cleanup = () => {
      stream.removeEventListener("message", onMessage);
      stream.removeEventListener("close", onEnd);
      stream.removeEventListener("end", onEnd);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(err);
    };
    const onMessage = (evt: StreamMessageEvent) => {
      try {
        forEachChunk(evt.data, (chunk) =>
          decoder.push(chunk, (body) => {
            if (frame !== undefined) throw new StreamEndedError(`${stream.protocol} (more than one frame)`);
            frame = body;
          }),
        );
        if (frame !== undefined && decoder.idle && !settled) {
          settled = true;
          cleanup();
          resolve(frame);
        }
      } catch (err) {
        fail(err);
      }
    };
    const onEnd = () => {
      // 'close' can precede the delivery of bytes still buffered: those come as a later 'message'.
      if (stream.readBufferLength === 0) fail(new StreamEndedError(stream.protocol ?? "stream"));
    };
    const onAbort = () => fail(signal?.reason ?? new StreamEndedError(stream.protocol ?? "stream"));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    // 'end' (not 'remoteCloseWrite'): it fires only once everything the remote sent was delivered.
    stream.addEventListener("message", onMessage);
    stream.addEventListener("close", onEnd);
    stream.addEventListener("end", onEnd);
    if (stream.readableEnded && stream.readBufferLength === 0) onEnd();
  });
}

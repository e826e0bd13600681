import type { ConnectionEncrypter, SecuredConnection } from "@libp2p/interface";

/** Messages up to this size are joined into one buffer: above it the copy costs more than the write it saves. */
const MAX_JOINED_BYTES = 16 * 1024;

/** The part of uint8arraylist's Uint8ArrayList used here (what noise's `encrypt` returns). */
interface ChunkList {
  readonly bufs: Uint8Array[];
  readonly byteLength: number;
  subarray(): Uint8Array;
  consume(bytes: number): void;
  append(buf: Uint8Array): void;
}

type Encrypt = (chunk: unknown) => ChunkList;

/**
 * @chainsafe/libp2p-noise (17) hands the transport each message as two chunks, its 2-byte length
 * and its ciphertext, and @libp2p/tcp writes each chunk to the socket with a call of its own: two
 * write syscalls per message, and on loopback two wake-ups of the reader, which reads the length
 * and then the rest. This wraps a Noise encrypter so that each secured connection's `encrypt`
 * returns the message joined in one buffer: the same bytes on the wire, one write.
 *
 * `encrypt` is a noise internal: a connection without it fails the handshake loudly (and the
 * network tests with it) if a new version renames it, rather than silently keeping the old cost.
 */
export function withJoinedNoiseWrites<C>(
  factory: (components: C) => ConnectionEncrypter,
): (components: C) => ConnectionEncrypter {
  return (components) => {
    const inner = factory(components);
    const joined = async (secured: Promise<SecuredConnection>) => {
      const s = await secured;
      joinEncryptedChunks(s.connection);
      return s;
    };
    // Inherits the protocol name and libp2p's service markers from the noise instance.
    const outer = Object.create(inner) as ConnectionEncrypter;
    outer.secureOutbound = (connection, options) => joined(inner.secureOutbound(connection, options));
    outer.secureInbound = (connection, options) => joined(inner.secureInbound(connection, options));
    return outer;
  };
}

/** Makes `connection.encrypt` (noise's EncryptedMessageStream) return one chunk per message. */
export function joinEncryptedChunks(connection: object): void {
  const target = connection as { encrypt?: Encrypt };
  const original = target.encrypt;
  if (typeof original !== "function") {
    throw new Error("@chainsafe/libp2p-noise: the secured connection has no encrypt method");
  }
  target.encrypt = function encrypt(this: unknown, chunk) {
    const out = original.call(this, chunk);
    if (out.bufs.length <= 1 || out.byteLength > MAX_JOINED_BYTES) return out;
    const whole = out.subarray(); // a copy of every chunk, in order
    out.consume(out.byteLength);
    out.append(whole);
    return out;
  };
}

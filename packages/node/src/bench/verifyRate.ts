import { Domain, KeyPair, VerificationPool, type VerificationItem } from "@ordo/crypto";
import { sha256 } from "@ordo/types";

export interface VerifyRate {
  threads: number;
  /** Ed25519 transaction signatures verified per second by a VerificationPool of `threads` workers. */
  perSecond: number;
}

/**
 * What this machine's Ed25519 verification ceiling is: a `VerificationPool` of `threads` workers
 * kept busy with batches of `batch` real transaction-domain signatures for about `durationMs`
 * (two batches in flight per thread, as a loaded validator keeps it).
 */
export async function measureVerifyRate(threads = 2, durationMs = 2_000, batch = 1_000): Promise<VerifyRate> {
  const chainId = "bench-verify";
  const keys = Array.from({ length: 16 }, (_, i) => KeyPair.fromSeed(sha256(new TextEncoder().encode(`verify ${i}`))));
  const items: VerificationItem[] = Array.from({ length: batch }, (_, i) => {
    const key = keys[i % keys.length]!;
    const message = sha256(new Uint8Array([i & 0xff, i >> 8]));
    return {
      publicKey: key.publicKey,
      domain: Domain.transaction,
      chainId,
      message,
      signature: key.sign(Domain.transaction, chainId, message),
    };
  });
  const pool = new VerificationPool({ threads });
  try {
    await pool.verifyBatch(items); // warm the workers up
    let verified = 0;
    const start = performance.now();
    const end = start + durationMs;
    const lane = async () => {
      while (performance.now() < end) {
        const ok = await pool.verifyBatch(items);
        if (!ok.every(Boolean)) throw new Error("a valid signature did not verify");
        verified += ok.length;
      }
    };
    await Promise.all(Array.from({ length: 2 * threads }, lane));
    const seconds = (performance.now() - start) / 1000;
    return { threads, perSecond: Math.round(verified / seconds) };
  } finally {
    await pool.close();
  }
}

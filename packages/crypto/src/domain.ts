import { pooledBytes, Writer } from "@ordo/types";

/**
 * Every signature covers `"ordo/v1/" + tag + 0x00 || u16 len || chainId` before the message bytes,
 * so a signature made for one kind of message, or on one chain, never verifies as another.
 */
export const Domain = {
  transaction: "tx",
  proposal: "proposal",
  vote: "vote",
  timeout: "timeout",
  receipt: "receipt",
} as const;

export type Domain = (typeof Domain)[keyof typeof Domain];

const prefixes = new Map<string, Uint8Array>();
// The last pair asked for: nearly every call (a batch of one chain's transactions) repeats it, and
// comparing the same strings is cheaper than building and hashing the map key.
let last: { domain: string; chainId: string; prefix: Uint8Array } | undefined;

export function domainPrefix(domain: Domain, chainId: string): Uint8Array {
  if (last !== undefined && last.domain === domain && last.chainId === chainId) return last.prefix;
  const key = `${domain}\u0000${chainId}`;
  let prefix = prefixes.get(key);
  if (!prefix) {
    const w = new Writer(64);
    w.raw(new TextEncoder().encode(`ordo/v1/${domain}`))
      .u8(0)
      .string(chainId);
    prefix = w.finish();
    if (prefixes.size > 1024) prefixes.clear();
    prefixes.set(key, prefix);
  }
  last = { domain, chainId, prefix };
  return prefix;
}

/** The exact bytes that get signed: domain prefix followed by the message. */
export function signingPayload(domain: Domain, chainId: string, message: Uint8Array): Uint8Array {
  const prefix = domainPrefix(domain, chainId);
  const out = pooledBytes(prefix.length + message.length);
  out.set(prefix);
  out.set(message, prefix.length);
  return out;
}

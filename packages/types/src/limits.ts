import { CodecError } from "./errors.js";

/** Upper bounds enforced by the decoders, so that peer input cannot make a node allocate without bound. */
export interface CodecLimits {
  /** Largest encoded transaction, in bytes. */
  maxTxBytes: number;
  /** Most transactions in one block. */
  maxTxsPerBlock: number;
  /** Largest encoded block (header, transactions and signature), in bytes. */
  maxBlockBytes: number;
  /** Largest validator set a certificate may reference (bitmap width). */
  maxValidators: number;
  /** Most blocks in one block-fetch response. */
  maxBlocksPerResponse: number;
  /** Largest encoded consensus message of any kind, in bytes. */
  maxMessageBytes: number;
}

export const defaultLimits: Readonly<CodecLimits> = Object.freeze({
  maxTxBytes: 64 * 1024,
  maxTxsPerBlock: 10_000,
  maxBlockBytes: 8 * 1024 * 1024,
  maxValidators: 1024,
  maxBlocksPerResponse: 64,
  maxMessageBytes: 32 * 1024 * 1024,
});

/** Fills in defaults and checks that every limit is a positive integer and that they are consistent. */
export function validateLimits(partial: Partial<CodecLimits> = {}): CodecLimits {
  const limits: CodecLimits = { ...defaultLimits, ...partial };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new CodecError("INVALID_VALUE", `limit ${key} must be a positive integer, got ${value}`, { key, value });
    }
  }
  if (limits.maxValidators > 65535) {
    throw new CodecError("INVALID_VALUE", "maxValidators must be at most 65535 (u16 indices)");
  }
  if (limits.maxTxBytes > limits.maxBlockBytes) {
    throw new CodecError("INVALID_VALUE", "maxTxBytes must not exceed maxBlockBytes");
  }
  return limits;
}

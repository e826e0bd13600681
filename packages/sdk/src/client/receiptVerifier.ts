import { type ValidatorSet, verifyReceiptSignature } from "@ordo/crypto";
import {
  type BlockReceipt,
  receiptSigningBytes,
  resultLeaf,
  toHex,
  type TxResult,
  verifyMerkleProof,
} from "@ordo/types";

/** Why a validator's committed answer was not counted; undefined when it verifies. */
export type ReceiptRejection = "UNKNOWN_VALIDATOR" | "BAD_SIGNATURE" | "HEIGHT_MISMATCH" | "BAD_PROOF";

export interface ReceiptVerifierOptions {
  /** Most verified block receipts remembered. */
  cacheSize: number;
}

export const defaultReceiptVerifierOptions: Readonly<ReceiptVerifierOptions> = Object.freeze({ cacheSize: 10_000 });

/**
 * Checks one validator's answer for one transaction: the block receipt's signature against the
 * genesis validator set (its validator index names the key; the signature covers the receipt
 * under the receipt domain and the chain id), then the Merkle path of the result leaf against that
 * receipt's results root. A block receipt is verified once: every transaction of that block
 * reuses the verdict (keyed by validator, height and the receipt's bytes including the signature).
 */
export class ReceiptVerifier {
  readonly #cache = new Map<string, boolean>();
  readonly #opts: ReceiptVerifierOptions;
  /** Signature checks actually performed (cache misses), for tests and metrics. */
  signatureChecks = 0;

  constructor(
    readonly chainId: string,
    readonly validators: ValidatorSet,
    opts: Partial<ReceiptVerifierOptions> = {},
  ) {
    this.#opts = { ...defaultReceiptVerifierOptions, ...opts };
  }

  /** True when `receipt` is signed by validator `receipt.validator` of the set, for this chain. */
  verifyReceipt(receipt: BlockReceipt): boolean {
    const key = this.validators.publicKey(receipt.validator);
    if (!key) return false;
    const cacheKey = `${receipt.validator}:${receipt.height}:${toHex(receiptSigningBytes(receipt))}${toHex(receipt.signature)}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;
    this.signatureChecks++;
    const ok = verifyReceiptSignature(key, this.chainId, receipt, receipt.signature);
    this.#cache.set(cacheKey, ok);
    if (this.#cache.size > this.#opts.cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
    return ok;
  }

  /** Verifies a committed answer for transaction `txId`; returns why it is refused, or undefined. */
  check(
    txId: Uint8Array,
    answer: {
      height: number;
      index: number;
      result: TxResult;
      receipt: BlockReceipt;
      resultCount: number;
      proof: readonly Uint8Array[];
    },
  ): ReceiptRejection | undefined {
    if (!this.validators.has(answer.receipt.validator)) return "UNKNOWN_VALIDATOR";
    if (answer.receipt.height !== answer.height) return "HEIGHT_MISMATCH";
    // The proof is cheap (a few hashes) and checked first, so a wrong one never costs a signature check.
    const leaf = resultLeaf(txId, answer.result);
    if (!verifyMerkleProof(answer.receipt.resultsRoot, leaf, answer.index, answer.resultCount, answer.proof))
      return "BAD_PROOF";
    if (!this.verifyReceipt(answer.receipt)) return "BAD_SIGNATURE";
    return undefined;
  }
}

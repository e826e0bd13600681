import { fromBase64, PUBLIC_KEY_LENGTH, toBase64, toHex } from "@ordo/types";
import { CryptoError } from "./errors.js";

export interface ValidatorInfo {
  publicKey: Uint8Array;
  /** Human-readable name for logs and the dashboard; not part of consensus. */
  name?: string;
}

/**
 * The ordered validator set of a chain. Validator `i` is the i-th entry of the genesis file.
 * Quorum is `floor(2n/3) + 1` and tolerates `f = floor((n - 1) / 3)` Byzantine validators.
 */
export class ValidatorSet {
  readonly validators: readonly ValidatorInfo[];
  readonly n: number;
  readonly f: number;
  readonly quorum: number;
  readonly #index = new Map<string, number>();

  constructor(validators: readonly ValidatorInfo[]) {
    if (validators.length === 0)
      throw new CryptoError("INVALID_VALIDATOR_SET", "a validator set needs at least one validator");
    if (validators.length > 65535) throw new CryptoError("INVALID_VALIDATOR_SET", "at most 65535 validators");
    validators.forEach((v, i) => {
      if (!(v.publicKey instanceof Uint8Array) || v.publicKey.length !== PUBLIC_KEY_LENGTH) {
        throw new CryptoError("INVALID_VALIDATOR_SET", `validator ${i} has no 32-byte Ed25519 public key`);
      }
      const key = toHex(v.publicKey);
      if (this.#index.has(key)) throw new CryptoError("INVALID_VALIDATOR_SET", `validator ${i} repeats a public key`);
      this.#index.set(key, i);
    });
    this.validators = validators.map((v) => ({ ...v, publicKey: v.publicKey.slice() }));
    this.n = validators.length;
    this.f = Math.floor((this.n - 1) / 3);
    this.quorum = Math.floor((2 * this.n) / 3) + 1;
  }

  /** The validator index of a public key, or -1 if it is not in the set. */
  indexOf(publicKey: Uint8Array): number {
    return this.#index.get(toHex(publicKey)) ?? -1;
  }

  publicKey(index: number): Uint8Array | undefined {
    return this.validators[index]?.publicKey;
  }

  has(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.n;
  }

  toJSON(): { publicKey: string; name?: string }[] {
    return this.validators.map((v) => ({ publicKey: toBase64(v.publicKey), ...(v.name ? { name: v.name } : {}) }));
  }

  static fromJSON(json: unknown): ValidatorSet {
    if (!Array.isArray(json)) throw new CryptoError("INVALID_VALIDATOR_SET", "validators must be an array");
    return new ValidatorSet(
      json.map((v, i) => {
        if (typeof v?.publicKey !== "string") {
          throw new CryptoError("INVALID_VALIDATOR_SET", `validator ${i} needs a base64 publicKey`);
        }
        try {
          return { publicKey: fromBase64(v.publicKey), ...(typeof v.name === "string" ? { name: v.name } : {}) };
        } catch {
          throw new CryptoError("INVALID_VALIDATOR_SET", `validator ${i} publicKey is not valid base64`);
        }
      }),
    );
  }
}

import { fromBase64, PUBLIC_KEY_LENGTH, toBase64 } from "@ordo/types";
import { type Domain, signingPayload } from "./domain.js";
import { keyPairFromSeed, randomSeed, SEED_LENGTH, signDetached, verifyDetached } from "./ed25519.js";
import { CryptoError } from "./errors.js";

/** The JSON form of a key on disk (`priv_validator_key.json`, a client's key file). */
export interface KeyPairJson {
  type: "ed25519";
  publicKey: string;
  /** base64 of the 32-byte seed. */
  privateKey: string;
}

/** An Ed25519 key pair. The same key is the validator's libp2p identity (see {@link libp2pRawPrivateKey}). */
export class KeyPair {
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;
  readonly #seed: Uint8Array;

  private constructor(seed: Uint8Array) {
    const { publicKey, secretKey } = keyPairFromSeed(seed);
    this.publicKey = publicKey;
    this.#secretKey = secretKey;
    this.#seed = seed.slice();
  }

  static generate(): KeyPair {
    return new KeyPair(randomSeed());
  }

  static fromSeed(seed: Uint8Array): KeyPair {
    return new KeyPair(seed);
  }

  static fromJSON(json: unknown): KeyPair {
    const j = json as Partial<KeyPairJson> | null;
    if (j?.type !== "ed25519" || typeof j.privateKey !== "string") {
      throw new CryptoError("INVALID_KEY", 'key file must be {"type":"ed25519","publicKey":...,"privateKey":...}');
    }
    let seed: Uint8Array;
    try {
      seed = fromBase64(j.privateKey);
    } catch {
      throw new CryptoError("INVALID_KEY", "privateKey is not valid base64");
    }
    if (seed.length !== SEED_LENGTH)
      throw new CryptoError("INVALID_KEY", `privateKey must be a ${SEED_LENGTH}-byte seed`);
    const key = new KeyPair(seed);
    if (j.publicKey !== undefined && j.publicKey !== toBase64(key.publicKey)) {
      throw new CryptoError("INVALID_KEY", "publicKey does not match privateKey");
    }
    return key;
  }

  toJSON(): KeyPairJson {
    return { type: "ed25519", publicKey: toBase64(this.publicKey), privateKey: toBase64(this.#seed) };
  }

  /** 64 bytes, seed || public key: what libp2p's `privateKeyFromRaw` takes for an Ed25519 key. */
  libp2pRawPrivateKey(): Uint8Array {
    return this.#secretKey.slice();
  }

  sign(domain: Domain, chainId: string, message: Uint8Array): Uint8Array {
    return signDetached(this.#secretKey, signingPayload(domain, chainId, message));
  }
}

export function verifySignature(
  publicKey: Uint8Array,
  domain: Domain,
  chainId: string,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey?.length !== PUBLIC_KEY_LENGTH) return false;
  return verifyDetached(publicKey, signingPayload(domain, chainId, message), signature);
}

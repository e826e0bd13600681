import { privateKeyFromRaw, publicKeyFromRaw } from "@libp2p/crypto/keys";
import type { PeerId, PrivateKey } from "@libp2p/interface";
import { peerIdFromPublicKey } from "@libp2p/peer-id";
import type { KeyPair, ValidatorSet } from "@ordo/crypto";

/** The libp2p private key of a validator: the same Ed25519 key that signs its consensus messages. */
export function libp2pPrivateKey(key: KeyPair): PrivateKey {
  return privateKeyFromRaw(key.libp2pRawPrivateKey());
}

/** The libp2p peer id of an Ed25519 public key (32 bytes). */
export function peerIdFromValidatorKey(publicKey: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey));
}

/**
 * Maps between validator indices, their public keys and their libp2p peer ids, both ways.
 * Built once from the validator set; lookups by peer id are by its string form.
 */
export class ValidatorPeers {
  readonly validators: ValidatorSet;
  readonly #peerIds: PeerId[];
  readonly #byPeerId = new Map<string, number>();

  constructor(validators: ValidatorSet) {
    this.validators = validators;
    this.#peerIds = validators.validators.map((v) => peerIdFromValidatorKey(v.publicKey));
    for (const [i, id] of this.#peerIds.entries()) this.#byPeerId.set(id.toString(), i);
  }

  get size(): number {
    return this.#peerIds.length;
  }

  /** The validator index of a peer, or -1 when it is not a validator. */
  indexOf(peer: PeerId | string): number {
    return this.#byPeerId.get(typeof peer === "string" ? peer : peer.toString()) ?? -1;
  }

  peerId(index: number): PeerId | undefined {
    return this.#peerIds[index];
  }

  isValidator(peer: PeerId | string): boolean {
    return this.indexOf(peer) >= 0;
  }

  /** All (index, peer id) pairs in index order. */
  entries(): [number, PeerId][] {
    return this.#peerIds.map((id, i) => [i, id]);
  }
}

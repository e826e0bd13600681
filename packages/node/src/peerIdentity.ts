import type { KeyPair } from "@ordo/crypto";
import { privateKeyFromRaw, publicKeyFromRaw } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey, peerIdFromPublicKey } from "@libp2p/peer-id";

/** A validator's libp2p peer id is derived from its Ed25519 validator key: one identity, not two. */
export function peerIdOfPublicKey(publicKey: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey)).toString();
}

export function peerIdOfKeyPair(key: KeyPair): string {
  return peerIdFromPrivateKey(privateKeyFromRaw(key.libp2pRawPrivateKey())).toString();
}

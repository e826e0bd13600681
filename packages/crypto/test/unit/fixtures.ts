import { genesisQuorumCert, type QuorumCert, sha256, type VoteData } from "@ordo/types";
import { CertificateVerifier, KeyPair, signVote, ValidatorSet } from "../../src/index.js";

export const CHAIN = "ordo-test";
export const GENESIS_ID = sha256(new TextEncoder().encode("genesis"));

/** n deterministic validator keys (seed = index), their set and a verifier. */
export function committee(n: number) {
  const keys = Array.from({ length: n }, (_, i) => KeyPair.fromSeed(new Uint8Array(32).fill(i + 1)));
  const validators = new ValidatorSet(keys.map((k, i) => ({ publicKey: k.publicKey, name: `v${i}` })));
  const verifier = new CertificateVerifier({ chainId: CHAIN, validators, genesisBlockId: GENESIS_ID });
  return { keys, validators, verifier };
}

export function voteData(round: number): VoteData {
  return {
    blockId: sha256(new Uint8Array([round, 1])),
    round,
    parentId: sha256(new Uint8Array([round, 0])),
    parentRound: round - 1,
  };
}

/** A QC signed by the given validators. */
export function makeQc(keys: KeyPair[], signers: number[], data: VoteData, chainId = CHAIN): QuorumCert {
  return {
    ...data,
    signers,
    signatures: signers.map((i) => signVote(keys[i]!, chainId, data, i).signature),
  };
}

export const genesisQc = genesisQuorumCert(GENESIS_ID);

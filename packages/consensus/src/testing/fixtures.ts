/** Deterministic keys, a genesis and signed blocks and QCs for tests (here and in other packages). */
import { KeyPair, signBlockId, signVote, ValidatorSet } from "@ordo/crypto";
import {
  type Block,
  type BlockHeader,
  blockId,
  genesisQuorumCert,
  merkleRoot,
  type QuorumCert,
  sha256,
  type Transaction,
  transactionId,
  makeGenesisBlock,
} from "@ordo/types";
import { type BlockRecord, blockRecord } from "../blockTree/blockTree.js";

export const CHAIN = "unit";
export const keys = Array.from({ length: 4 }, (_, i) => KeyPair.fromSeed(new Uint8Array(32).fill(i + 7)));
export const validators = new ValidatorSet(keys.map((k) => ({ publicKey: k.publicKey })));

export function genesis(): { block: Block; id: Uint8Array; rec: BlockRecord; qc: QuorumCert } {
  const { block, id } = makeGenesisBlock(sha256(), 0);
  return { block, id, rec: blockRecord(block, id), qc: genesisQuorumCert(id) };
}

/** A block of `round` on top of `parent` certified by `qc`, signed by the round-robin leader. */
export function child(parent: BlockRecord, qc: QuorumCert, round: number, txs: Transaction[] = []): BlockRecord {
  const proposer = round % keys.length;
  const header: BlockHeader = {
    height: parent.height + 1,
    round,
    parentId: parent.id,
    qc,
    tc: null,
    proposer,
    timestamp: round,
    payloadRoot: merkleRoot(txs.map(transactionId)),
    execHeight: 0,
    appHash: sha256(),
  };
  const id = blockId(header);
  return blockRecord({ header, txs, signature: signBlockId(keys[proposer]!, CHAIN, id) }, id);
}

/** A QC for `rec` signed by validators 0..2. */
export function certify(rec: BlockRecord): QuorumCert {
  const data = {
    blockId: rec.id,
    round: rec.round,
    parentId: rec.block.header.parentId,
    parentRound: rec.block.header.qc.round,
  };
  const signers = [0, 1, 2];
  return { ...data, signers, signatures: signers.map((i) => signVote(keys[i]!, CHAIN, data, i).signature) };
}

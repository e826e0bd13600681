import {
  type BlockHeader,
  blockId,
  type QuorumCert,
  receiptSigningBytes,
  type Timeout,
  type Transaction,
  timeoutSigningBytes,
  transactionSigningBytes,
  type UnsignedBlockReceipt,
  type UnsignedTransaction,
  type Vote,
  type VoteData,
  voteDataSigningBytes,
} from "@ordo/types";
import { Domain } from "./domain.js";
import { type KeyPair, verifySignature } from "./keyPair.js";

/** Typed signing helpers: each message kind is signed under its own domain. */

export function signTransaction(key: KeyPair, tx: UnsignedTransaction): Transaction {
  return { ...tx, signature: key.sign(Domain.transaction, tx.chainId, transactionSigningBytes(tx)) };
}

/** External validity: the transaction carries a good signature by its sender, for its chain. */
export function verifyTransaction(tx: Transaction): boolean {
  return verifySignature(tx.sender, Domain.transaction, tx.chainId, transactionSigningBytes(tx), tx.signature);
}

/** The proposer signs the block id (which commits to the whole header, and through it to the payload). */
export function signBlockId(key: KeyPair, chainId: string, id: Uint8Array): Uint8Array {
  return key.sign(Domain.proposal, chainId, id);
}

export function signBlockHeader(key: KeyPair, chainId: string, header: BlockHeader): Uint8Array {
  return signBlockId(key, chainId, blockId(header));
}

export function verifyBlockSignature(publicKey: Uint8Array, chainId: string, id: Uint8Array, signature: Uint8Array) {
  return verifySignature(publicKey, Domain.proposal, chainId, id, signature);
}

export function signVote(key: KeyPair, chainId: string, data: VoteData, voter: number): Vote {
  const { blockId: id, round, parentId, parentRound } = data;
  return {
    blockId: id,
    round,
    parentId,
    parentRound,
    voter,
    signature: key.sign(Domain.vote, chainId, voteDataSigningBytes(data)),
  };
}

export function verifyVoteSignature(publicKey: Uint8Array, chainId: string, vote: Vote): boolean {
  return verifySignature(publicKey, Domain.vote, chainId, voteDataSigningBytes(vote), vote.signature);
}

export function signTimeout(key: KeyPair, chainId: string, round: number, highQc: QuorumCert, sender: number): Timeout {
  return {
    round,
    highQc,
    sender,
    signature: key.sign(Domain.timeout, chainId, timeoutSigningBytes(round, highQc.round)),
  };
}

export function verifyTimeoutSignature(publicKey: Uint8Array, chainId: string, t: Timeout): boolean {
  return verifySignature(publicKey, Domain.timeout, chainId, timeoutSigningBytes(t.round, t.highQc.round), t.signature);
}

export function signReceipt(key: KeyPair, chainId: string, receipt: UnsignedBlockReceipt): Uint8Array {
  return key.sign(Domain.receipt, chainId, receiptSigningBytes(receipt));
}

export function verifyReceiptSignature(
  publicKey: Uint8Array,
  chainId: string,
  receipt: UnsignedBlockReceipt,
  signature: Uint8Array,
): boolean {
  return verifySignature(publicKey, Domain.receipt, chainId, receiptSigningBytes(receipt), signature);
}

import type { Block, BlockHeader } from "../messages/block.js";
import type { ConsensusMessage } from "../messages/consensusMessage.js";
import type { QuorumCert } from "../messages/quorumCert.js";
import type { BlockReceipt, TxResult } from "../messages/receipt.js";
import type { SyncInfo } from "../messages/syncInfo.js";
import type { Timeout } from "../messages/timeout.js";
import type { TimeoutCert } from "../messages/timeoutCert.js";
import type { Transaction } from "../messages/transaction.js";
import type { Vote } from "../messages/vote.js";
import type { SeededRandom } from "./random.js";

/** Random, structurally valid values of every wire type (signatures are random bytes, not valid). */

function round(rng: SeededRandom): number {
  return rng.bool(0.1) ? Number.MAX_SAFE_INTEGER - rng.int(0, 10) : rng.int(0, 1_000_000);
}

function signerSet(rng: SeededRandom, maxN = 40): number[] {
  const n = rng.int(0, maxN);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (rng.bool(0.7)) out.push(i);
  return out;
}

export function arbitraryTransaction(rng: SeededRandom, maxPayload = 300): Transaction {
  const chars = "abcdefghijklmnopqrstuvwxyz-0123456789é漢";
  let chainId = "";
  for (let i = rng.int(0, 12); i > 0; i--) chainId += rng.pick([...chars]);
  return {
    chainId,
    sender: rng.bytes(32),
    nonce: rng.bool(0.1) ? (1n << 64n) - 1n : BigInt(rng.nextU32()) * BigInt(rng.nextU32()),
    payload: rng.bytes(rng.int(0, maxPayload)),
    signature: rng.bytes(64),
  };
}

export function arbitraryQuorumCert(rng: SeededRandom): QuorumCert {
  const signers = signerSet(rng);
  return {
    blockId: rng.bytes(32),
    round: round(rng),
    parentId: rng.bytes(32),
    parentRound: round(rng),
    signers,
    signatures: signers.map(() => rng.bytes(64)),
  };
}

export function arbitraryTimeoutCert(rng: SeededRandom): TimeoutCert {
  const signers = signerSet(rng);
  return {
    round: round(rng),
    signers,
    highQcRounds: signers.map(() => round(rng)),
    signatures: signers.map(() => rng.bytes(64)),
  };
}

export function arbitraryVote(rng: SeededRandom): Vote {
  return {
    blockId: rng.bytes(32),
    round: round(rng),
    parentId: rng.bytes(32),
    parentRound: round(rng),
    voter: rng.int(0, 1023),
    signature: rng.bytes(64),
  };
}

export function arbitraryTimeout(rng: SeededRandom): Timeout {
  return { round: round(rng), highQc: arbitraryQuorumCert(rng), sender: rng.int(0, 1023), signature: rng.bytes(64) };
}

export function arbitrarySyncInfo(rng: SeededRandom): SyncInfo {
  return {
    highQc: arbitraryQuorumCert(rng),
    highCommitQc: arbitraryQuorumCert(rng),
    lastTc: rng.bool() ? arbitraryTimeoutCert(rng) : null,
  };
}

export function arbitraryBlockHeader(rng: SeededRandom): BlockHeader {
  return {
    height: round(rng),
    round: round(rng),
    parentId: rng.bytes(32),
    qc: arbitraryQuorumCert(rng),
    tc: rng.bool() ? arbitraryTimeoutCert(rng) : null,
    proposer: rng.int(0, 1023),
    timestamp: rng.int(0, 2 ** 45),
    payloadRoot: rng.bytes(32),
    execHeight: round(rng),
    appHash: rng.bytes(32),
  };
}

export function arbitraryBlock(rng: SeededRandom, maxTxs = 20): Block {
  const txs: Transaction[] = [];
  for (let i = rng.int(0, maxTxs); i > 0; i--) txs.push(arbitraryTransaction(rng));
  return { header: arbitraryBlockHeader(rng), txs, signature: rng.bytes(64) };
}

export function arbitraryTxResult(rng: SeededRandom): TxResult {
  return { code: rng.nextU32(), data: rng.bytes(rng.int(0, 100)), log: rng.bool() ? "insufficient funds" : "" };
}

export function arbitraryBlockReceipt(rng: SeededRandom): BlockReceipt {
  return {
    height: round(rng),
    blockId: rng.bytes(32),
    resultsRoot: rng.bytes(32),
    appHash: rng.bytes(32),
    validator: rng.int(0, 1023),
    signature: rng.bytes(64),
  };
}

export function arbitraryConsensusMessage(rng: SeededRandom): ConsensusMessage {
  switch (rng.int(0, 5)) {
    case 0:
      return { kind: "proposal", block: arbitraryBlock(rng) };
    case 1:
      return { kind: "vote", vote: arbitraryVote(rng) };
    case 2:
      return { kind: "timeout", timeout: arbitraryTimeout(rng) };
    case 3:
      return { kind: "syncInfo", syncInfo: arbitrarySyncInfo(rng) };
    case 4:
      return { kind: "blockRequest", request: { blockId: rng.bytes(32), count: rng.int(1, 64) } };
    default: {
      const blocks: Block[] = [];
      for (let i = rng.int(0, 3); i > 0; i--) blocks.push(arbitraryBlock(rng, 3));
      return { kind: "blockResponse", response: { blocks } };
    }
  }
}

import { HASH_LENGTH, SIGNATURE_LENGTH, ZERO_HASH } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { readSigners, writeSigners } from "../codec/signers.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { type CodecLimits, defaultLimits } from "../limits.js";

/** What a vote and a QC certify: a block and its parent. Every voter signs exactly these bytes. */
export interface VoteData {
  blockId: Uint8Array;
  round: number;
  parentId: Uint8Array;
  parentRound: number;
}

/** A quorum certificate: a quorum of signatures over the same {@link VoteData}. */
export interface QuorumCert extends VoteData {
  /** Strictly ascending validator indices. */
  signers: number[];
  /** One signature per signer, in the order of `signers`. */
  signatures: Uint8Array[];
}

export function writeVoteData(w: Writer, d: VoteData): void {
  w.fixed(d.blockId, HASH_LENGTH).u64(d.round).fixed(d.parentId, HASH_LENGTH).u64(d.parentRound);
}

export function readVoteData(r: Reader): VoteData {
  return {
    blockId: r.fixed(HASH_LENGTH, "block id"),
    round: r.u64("round"),
    parentId: r.fixed(HASH_LENGTH, "parent id"),
    parentRound: r.u64("parent round"),
  };
}

export function voteDataSigningBytes(d: VoteData): Uint8Array {
  const w = new Writer(2 * HASH_LENGTH + 16);
  writeVoteData(w, d);
  return w.finish();
}

export function writeQuorumCert(w: Writer, qc: QuorumCert): void {
  if (qc.signatures.length !== qc.signers.length) {
    throw new CodecError("INVALID_VALUE", "a QC needs exactly one signature per signer");
  }
  writeVoteData(w, qc);
  writeSigners(w, qc.signers);
  for (const s of qc.signatures) w.fixed(s, SIGNATURE_LENGTH);
}

export function readQuorumCert(r: Reader, limits: CodecLimits): QuorumCert {
  const data = readVoteData(r);
  const signers = readSigners(r, limits.maxValidators);
  const signatures: Uint8Array[] = new Array(signers.length);
  for (let i = 0; i < signers.length; i++) signatures[i] = r.fixed(SIGNATURE_LENGTH, "qc signature");
  return { ...data, signers, signatures };
}

export function encodeQuorumCert(qc: QuorumCert): Uint8Array {
  const w = new Writer(96 + qc.signers.length * SIGNATURE_LENGTH);
  writeQuorumCert(w, qc);
  return w.finish();
}

export function decodeQuorumCert(bytes: Uint8Array, limits: CodecLimits = defaultLimits): QuorumCert {
  const r = new Reader(bytes);
  const qc = readQuorumCert(r, limits);
  r.end();
  return qc;
}

/** The genesis QC: certifies the genesis block at round 0 with no signatures; accepted by definition. */
export function genesisQuorumCert(genesisBlockId: Uint8Array): QuorumCert {
  return { blockId: genesisBlockId, round: 0, parentId: ZERO_HASH, parentRound: 0, signers: [], signatures: [] };
}

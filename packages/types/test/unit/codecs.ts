import * as T from "../../src/index.js";
import * as A from "../../src/testing/index.js";

/** Every top-level codec, so that round-trip, rejection and fuzz suites cover them all alike. */
export interface CodecCase {
  name: string;
  arbitrary: (rng: A.SeededRandom) => unknown;
  encode: (value: never) => Uint8Array;
  decode: (bytes: Uint8Array, limits?: T.CodecLimits) => unknown;
}

const wrap = <V>(write: (w: T.Writer, v: V) => void, read: (r: T.Reader, l: T.CodecLimits) => V) => ({
  encode: (v: V) => {
    const w = new T.Writer();
    write(w, v);
    return w.finish();
  },
  decode: (bytes: Uint8Array, limits: T.CodecLimits = T.defaultLimits) => {
    const r = new T.Reader(bytes);
    const v = read(r, limits);
    r.end();
    return v;
  },
});

export const codecs: CodecCase[] = [
  { name: "Transaction", arbitrary: A.arbitraryTransaction, encode: T.encodeTransaction, decode: T.decodeTransaction },
  { name: "BlockHeader", arbitrary: A.arbitraryBlockHeader, encode: T.encodeBlockHeader, decode: T.decodeBlockHeader },
  { name: "Block", arbitrary: (r) => A.arbitraryBlock(r), encode: T.encodeBlock, decode: T.decodeBlock },
  { name: "Vote", arbitrary: A.arbitraryVote, encode: T.encodeVote, decode: T.decodeVote },
  { name: "QuorumCert", arbitrary: A.arbitraryQuorumCert, encode: T.encodeQuorumCert, decode: T.decodeQuorumCert },
  { name: "Timeout", arbitrary: A.arbitraryTimeout, encode: T.encodeTimeout, decode: T.decodeTimeout },
  { name: "TimeoutCert", arbitrary: A.arbitraryTimeoutCert, encode: T.encodeTimeoutCert, decode: T.decodeTimeoutCert },
  { name: "SyncInfo", arbitrary: A.arbitrarySyncInfo, encode: T.encodeSyncInfo, decode: T.decodeSyncInfo },
  {
    name: "BlockReceipt",
    arbitrary: A.arbitraryBlockReceipt,
    encode: T.encodeBlockReceipt,
    decode: T.decodeBlockReceipt,
  },
  { name: "TxResult", arbitrary: A.arbitraryTxResult, encode: T.encodeTxResult, decode: T.decodeTxResult },
  {
    name: "ResultsList",
    arbitrary: (r) => {
      const n = r.int(0, 8);
      return {
        height: r.int(1, 1_000_000),
        receipt: A.arbitraryBlockReceipt(r),
        txIds: Array.from({ length: n }, () => r.bytes(32)),
        results: Array.from({ length: n }, () => A.arbitraryTxResult(r)),
      };
    },
    encode: T.encodeResultsList,
    decode: T.decodeResultsList,
  },
  {
    name: "BlockRequest",
    arbitrary: (r) => ({ blockId: r.bytes(32), count: r.int(1, 64) }),
    ...wrap(T.writeBlockRequest, T.readBlockRequest),
  },
  {
    name: "CommittedRangeRequest",
    arbitrary: (r) => ({ fromHeight: r.int(1, 1_000_000), count: r.int(1, 64) }),
    encode: T.encodeCommittedRangeRequest,
    decode: T.decodeCommittedRangeRequest,
  },
  {
    name: "CommittedRangeResponse",
    arbitrary: (r) => {
      if (r.int(0, 4) === 0) return { committedHeight: r.int(0, 1000), blocks: [], proofHeaders: [], proofQc: null };
      return {
        committedHeight: r.int(0, 1_000_000),
        blocks: Array.from({ length: r.int(1, 3) }, () => A.arbitraryBlock(r, 4)),
        proofHeaders: Array.from({ length: r.int(1, 3) }, () => A.arbitraryBlockHeader(r)),
        proofQc: A.arbitraryQuorumCert(r),
      };
    },
    encode: T.encodeCommittedRangeResponse,
    decode: T.decodeCommittedRangeResponse,
  },
  {
    name: "ConsensusMessage",
    arbitrary: A.arbitraryConsensusMessage,
    encode: T.encodeConsensusMessage,
    decode: T.decodeConsensusMessage,
  },
] as CodecCase[];

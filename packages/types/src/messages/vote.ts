import { SIGNATURE_LENGTH } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import { readVoteData, type VoteData, writeVoteData } from "./quorumCert.js";

/** One validator's vote for a block; the signature covers the {@link VoteData} only. */
export interface Vote extends VoteData {
  voter: number;
  signature: Uint8Array;
}

export function writeVote(w: Writer, v: Vote): void {
  writeVoteData(w, v);
  w.u16(v.voter).fixed(v.signature, SIGNATURE_LENGTH);
}

export function readVote(r: Reader, limits: CodecLimits): Vote {
  const data = readVoteData(r);
  const voter = r.u16("voter");
  if (voter >= limits.maxValidators) throw new CodecError("OUT_OF_RANGE", `voter index ${voter} out of range`);
  return { ...data, voter, signature: r.fixed(SIGNATURE_LENGTH, "vote signature") };
}

export function encodeVote(v: Vote): Uint8Array {
  const w = new Writer(150);
  writeVote(w, v);
  return w.finish();
}

export function decodeVote(bytes: Uint8Array, limits: CodecLimits = defaultLimits): Vote {
  const r = new Reader(bytes);
  const v = readVote(r, limits);
  r.end();
  return v;
}

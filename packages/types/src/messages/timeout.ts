import { SIGNATURE_LENGTH } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import { type QuorumCert, readQuorumCert, writeQuorumCert } from "./quorumCert.js";

/** A validator gives up on `round`, carrying its highest QC. Signed over (round, highQc.round). */
export interface Timeout {
  round: number;
  highQc: QuorumCert;
  sender: number;
  signature: Uint8Array;
}

export function timeoutSigningBytes(round: number, highQcRound: number): Uint8Array {
  return new Writer(16).u64(round).u64(highQcRound).finish();
}

export function writeTimeout(w: Writer, t: Timeout): void {
  w.u64(t.round);
  writeQuorumCert(w, t.highQc);
  w.u16(t.sender).fixed(t.signature, SIGNATURE_LENGTH);
}

export function readTimeout(r: Reader, limits: CodecLimits): Timeout {
  const round = r.u64("timeout round");
  const highQc = readQuorumCert(r, limits);
  const sender = r.u16("timeout sender");
  if (sender >= limits.maxValidators) throw new CodecError("OUT_OF_RANGE", `sender index ${sender} out of range`);
  return { round, highQc, sender, signature: r.fixed(SIGNATURE_LENGTH, "timeout signature") };
}

export function encodeTimeout(t: Timeout): Uint8Array {
  const w = new Writer(512);
  writeTimeout(w, t);
  return w.finish();
}

export function decodeTimeout(bytes: Uint8Array, limits: CodecLimits = defaultLimits): Timeout {
  const r = new Reader(bytes);
  const t = readTimeout(r, limits);
  r.end();
  return t;
}

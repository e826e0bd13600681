import { SIGNATURE_LENGTH } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { readSigners, writeSigners } from "../codec/signers.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { type CodecLimits, defaultLimits } from "../limits.js";

/**
 * A quorum of timeouts for `round`. Signer `signers[i]` signed (round, highQcRounds[i]);
 * `max(highQcRounds)` bounds the QC a proposal after this TC must extend.
 */
export interface TimeoutCert {
  round: number;
  signers: number[];
  highQcRounds: number[];
  signatures: Uint8Array[];
}

export function writeTimeoutCert(w: Writer, tc: TimeoutCert): void {
  const n = tc.signers.length;
  if (tc.highQcRounds.length !== n || tc.signatures.length !== n) {
    throw new CodecError("INVALID_VALUE", "a TC needs one high-QC round and one signature per signer");
  }
  w.u64(tc.round);
  writeSigners(w, tc.signers);
  for (let i = 0; i < n; i++) w.u64(tc.highQcRounds[i]!).fixed(tc.signatures[i]!, SIGNATURE_LENGTH);
}

export function readTimeoutCert(r: Reader, limits: CodecLimits): TimeoutCert {
  const round = r.u64("tc round");
  const signers = readSigners(r, limits.maxValidators);
  const highQcRounds: number[] = new Array(signers.length);
  const signatures: Uint8Array[] = new Array(signers.length);
  for (let i = 0; i < signers.length; i++) {
    highQcRounds[i] = r.u64("tc high qc round");
    signatures[i] = r.fixed(SIGNATURE_LENGTH, "tc signature");
  }
  return { round, signers, highQcRounds, signatures };
}

export function encodeTimeoutCert(tc: TimeoutCert): Uint8Array {
  const w = new Writer(16 + tc.signers.length * 72);
  writeTimeoutCert(w, tc);
  return w.finish();
}

export function decodeTimeoutCert(bytes: Uint8Array, limits: CodecLimits = defaultLimits): TimeoutCert {
  const r = new Reader(bytes);
  const tc = readTimeoutCert(r, limits);
  r.end();
  return tc;
}

/** The highest QC round any signer of the TC reported. */
export function maxHighQcRound(tc: TimeoutCert): number {
  let max = 0;
  for (const round of tc.highQcRounds) if (round > max) max = round;
  return max;
}

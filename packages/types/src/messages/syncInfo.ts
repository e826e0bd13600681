import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import { type QuorumCert, readQuorumCert, writeQuorumCert } from "./quorumCert.js";
import { readTimeoutCert, type TimeoutCert, writeTimeoutCert } from "./timeoutCert.js";

/** What a replica knows of the chain's progress; lets a lagging peer enter the right round. */
export interface SyncInfo {
  highQc: QuorumCert;
  /** Highest QC that committed something (its block's parent, under the 2-chain rule). */
  highCommitQc: QuorumCert;
  lastTc: TimeoutCert | null;
}

export function writeSyncInfo(w: Writer, s: SyncInfo): void {
  writeQuorumCert(w, s.highQc);
  writeQuorumCert(w, s.highCommitQc);
  w.bool(s.lastTc !== null);
  if (s.lastTc) writeTimeoutCert(w, s.lastTc);
}

export function readSyncInfo(r: Reader, limits: CodecLimits): SyncInfo {
  const highQc = readQuorumCert(r, limits);
  const highCommitQc = readQuorumCert(r, limits);
  const lastTc = r.option("last tc") ? readTimeoutCert(r, limits) : null;
  return { highQc, highCommitQc, lastTc };
}

export function encodeSyncInfo(s: SyncInfo): Uint8Array {
  const w = new Writer(1024);
  writeSyncInfo(w, s);
  return w.finish();
}

export function decodeSyncInfo(bytes: Uint8Array, limits: CodecLimits = defaultLimits): SyncInfo {
  const r = new Reader(bytes);
  const s = readSyncInfo(r, limits);
  r.end();
  return s;
}

/** What SafetyRules must remember across crashes: persisted durably before any signature leaves. */
export interface SafetyData {
  /** Highest round this replica voted in or timed out in. */
  lastVotedRound: number;
  /** Highest round of a QC this replica voted on top of or timed out with (its lock). */
  highestQcRound: number;
}

export const initialSafetyData: Readonly<SafetyData> = Object.freeze({ lastVotedRound: 0, highestQcRound: 0 });

export function encodeSafetyData(d: SafetyData): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(d.lastVotedRound));
  v.setBigUint64(8, BigInt(d.highestQcRound));
  return out;
}

export function decodeSafetyData(bytes: Uint8Array): SafetyData {
  if (bytes.length !== 16) throw new RangeError("safety data must be 16 bytes");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { lastVotedRound: Number(v.getBigUint64(0)), highestQcRound: Number(v.getBigUint64(8)) };
}

import { CodecError } from "../errors.js";
import type { Reader } from "./reader.js";
import type { Writer } from "./writer.js";

/**
 * Signer sets travel as a bitmap: u16 bit width, then ceil(width / 8) bytes, bit i (MSB first) set
 * when validator i signed. Canonical form: the width is the highest signer + 1 (0 for none) and
 * padding bits are zero. In memory a signer set is a strictly ascending array of indices.
 */
export function writeSigners(w: Writer, signers: readonly number[]): void {
  const width = signers.length === 0 ? 0 : signers[signers.length - 1]! + 1;
  if (width > 0xffff) throw new CodecError("OUT_OF_RANGE", `signer index ${width - 1} exceeds u16`);
  const bitmap = new Uint8Array((width + 7) >> 3);
  let previous = -1;
  for (const index of signers) {
    if (!Number.isInteger(index) || index <= previous) {
      throw new CodecError("INVALID_VALUE", "signers must be strictly ascending integers", { signers });
    }
    bitmap[index >> 3]! |= 0x80 >> (index & 7);
    previous = index;
  }
  w.u16(width).raw(bitmap);
}

export function readSigners(r: Reader, maxValidators: number): number[] {
  const width = r.u16("signer bitmap width");
  if (width > maxValidators) {
    throw new CodecError("TOO_LARGE", `signer bitmap width ${width} exceeds ${maxValidators} validators`);
  }
  const bitmap = r.fixed((width + 7) >> 3, "signer bitmap");
  const signers: number[] = [];
  for (let i = 0; i < width; i++) {
    if (bitmap[i >> 3]! & (0x80 >> (i & 7))) signers.push(i);
  }
  if (width > 0 && signers[signers.length - 1] !== width - 1) {
    throw new CodecError("NON_CANONICAL", "signer bitmap width is not minimal");
  }
  const padding = (8 - (width & 7)) & 7;
  if (padding > 0 && (bitmap[bitmap.length - 1]! & ((1 << padding) - 1)) !== 0) {
    throw new CodecError("NON_CANONICAL", "signer bitmap has padding bits set");
  }
  return signers;
}

import { HASH_LENGTH } from "../bytes.js";
import type { Reader } from "../codec/reader.js";
import type { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import type { CodecLimits } from "../limits.js";
import { type Block, readBlock, writeBlock } from "./block.js";

/** Ask a peer for block `blockId` and up to `count - 1` of its ancestors (newest first). */
export interface BlockRequest {
  blockId: Uint8Array;
  count: number;
}

/** The blocks found, newest first, each the parent of the one before; may be shorter than asked. */
export interface BlockResponse {
  blocks: Block[];
}

export function writeBlockRequest(w: Writer, req: BlockRequest): void {
  w.fixed(req.blockId, HASH_LENGTH).u32(req.count);
}

export function readBlockRequest(r: Reader, limits: CodecLimits): BlockRequest {
  const blockId = r.fixed(HASH_LENGTH, "block id");
  const count = r.u32("count");
  if (count === 0 || count > limits.maxBlocksPerResponse) {
    throw new CodecError("OUT_OF_RANGE", `block request count ${count} not in 1..${limits.maxBlocksPerResponse}`);
  }
  return { blockId, count };
}

export function writeBlockResponse(w: Writer, res: BlockResponse): void {
  w.u32(res.blocks.length);
  for (const b of res.blocks) writeBlock(w, b);
}

export function readBlockResponse(r: Reader, limits: CodecLimits): BlockResponse {
  const n = r.count(limits.maxBlocksPerResponse, 200, "response blocks");
  const blocks: Block[] = new Array(n);
  for (let i = 0; i < n; i++) blocks[i] = readBlock(r, limits);
  return { blocks };
}

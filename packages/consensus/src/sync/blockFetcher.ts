import { type Block, blockId, bytesEqual, toHex } from "@ordo/types";
import { SyncError } from "../errors.js";
import type { ConsensusNetwork } from "../network.js";

/**
 * Fetches a missing chain of blocks from a peer: block `id` and its ancestors until one the caller
 * already has. Checks that each block hashes to the id asked for and links to the next by parent
 * id; the caller then verifies each block (signatures, QC) before inserting it, oldest first.
 */
export async function fetchMissingChain(
  network: ConsensusNetwork,
  peer: number,
  id: Uint8Array,
  known: (idHex: string) => boolean,
  opts: { batch: number; maxBlocks: number; settled?: (block: Block) => boolean },
): Promise<Block[]> {
  const chain: Block[] = [];
  let want = id;
  // `settled`: the block is at or below the committed root (committed, or a fork that lost), so
  // nothing further down is needed. Without it a walk that the root overtook while it ran (the
  // blocks it then reaches are pruned from the tree, so never "known") went on to genesis.
  walk: while (!known(toHex(want))) {
    if (chain.length >= opts.maxBlocks) {
      throw new SyncError(`more than ${opts.maxBlocks} missing blocks: needs block sync`, { peer });
    }
    const response = await network.request(peer, { blockId: want, count: opts.batch });
    if (response.blocks.length === 0) throw new SyncError(`peer ${peer} has no block ${toHex(want)}`, { peer });
    for (const block of response.blocks) {
      if (!bytesEqual(blockId(block.header), want)) {
        throw new SyncError(`peer ${peer} answered a block that is not the one asked for`, {
          peer,
        });
      }
      if (opts.settled?.(block)) break walk;
      chain.push(block);
      want = block.header.parentId;
      if (known(toHex(want))) break;
    }
  }
  return chain.reverse();
}

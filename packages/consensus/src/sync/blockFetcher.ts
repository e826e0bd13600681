import { type Block, blockId, bytesEqual, toHex } from "@ordo/types";
import { SyncError } from "../errors.js";
import type { ConsensusNetwork } from "../network.js";

/**
 * Fetches a missing chain of blocks from a peer: block `id` and its ancestors until one the caller
 * already has. Checks that each block hashes to the id asked for and links to the next by parent
 * id; the caller then verifies each block (signatures, QC) before inserting it, oldest first.
 *
 * The first request asks for one block, each next one for four times as many, up to `batch`: the
 * peer cannot know which ancestors the caller has, and the usual gap under load is one block (its
 * proposal still on the way when the next one's QC arrives), where a request for 32 had the peer
 * read, encode and send 31 full blocks the caller already held (measured: as many transactions
 * decoded from those answers as from every relayed batch).
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
  let count = 1;
  // `settled`: the block is at or below the committed root (committed, or a fork that lost), so
  // nothing further down is needed. Without it a walk that the root overtook while it ran (the
  // blocks it then reaches are pruned from the tree, so never "known") went on to genesis.
  walk: while (!known(toHex(want))) {
    if (chain.length >= opts.maxBlocks) {
      throw new SyncError(`more than ${opts.maxBlocks} missing blocks: needs block sync`, { peer });
    }
    const response = await network.request(peer, { blockId: want, count: Math.min(count, opts.batch) });
    count *= 4;
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

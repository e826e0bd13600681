import { type KeyPair, signBlockId, signVote } from "@ordo/crypto";
import { type Block, blockId, type ConsensusMessage, encodeConsensusMessage } from "@ordo/types";
import type { SeededRandom } from "@ordo/types/testing";

export type Behaviour = "honest" | "silent" | "equivocate" | "doubleVote" | "invalid" | "twin";

export const byzantineBehaviours: Behaviour[] = ["silent", "equivocate", "doubleVote", "invalid"];

/**
 * What a Byzantine node actually puts on the wire for one outgoing message to one recipient:
 * zero, one or several byte strings. Each runs the honest round manager underneath and lies on
 * the way out, with its real key, so its lies are validly signed where that makes them worse.
 */
export function outbound(
  behaviour: Behaviour,
  message: ConsensusMessage,
  ctx: { rng: SeededRandom; key: KeyPair; chainId: string; index: number },
): Uint8Array[] {
  const honest = encoded(message);
  switch (behaviour) {
    case "honest":
    case "twin":
      return [honest];
    case "silent":
      return [];
    case "equivocate": {
      if (message.kind !== "proposal") return [honest];
      // Another block for the same round, validly signed; some peers get both, some one of each.
      const other = resign(
        {
          ...message.block,
          header: { ...message.block.header, timestamp: message.block.header.timestamp + 1 + ctx.rng.int(0, 9) },
        },
        ctx,
      );
      const variant = encodeConsensusMessage({ kind: "proposal", block: other });
      const pick = ctx.rng.int(0, 2);
      return pick === 0 ? [honest] : pick === 1 ? [variant] : [variant, honest];
    }
    case "doubleVote": {
      if (message.kind !== "vote") return [honest];
      const v = message.vote;
      const fake = signVote(ctx.key, ctx.chainId, { ...v, blockId: ctx.rng.bytes(32) }, ctx.index);
      return ctx.rng.bool()
        ? [honest, encodeConsensusMessage({ kind: "vote", vote: fake })]
        : [encodeConsensusMessage({ kind: "vote", vote: fake }), honest];
    }
    case "invalid": {
      if (!ctx.rng.bool(0.5)) return [honest];
      switch (ctx.rng.int(0, 4)) {
        case 0: {
          // a flipped byte: malformed, or a signature that no longer verifies
          const bad = honest.slice();
          bad[ctx.rng.int(0, bad.length - 1)]! ^= 1 << ctx.rng.int(0, 7);
          return [bad];
        }
        case 1:
          return [ctx.rng.bytes(ctx.rng.int(0, 400))];
        case 2:
          return [honest.subarray(0, ctx.rng.int(0, honest.length - 1))];
        case 3: {
          // a forged QC: right shape, wrong signatures, on a validly signed proposal
          if (message.kind !== "proposal" || message.block.header.qc.signers.length === 0) return [honest];
          const qc = message.block.header.qc;
          const forged = resign(
            {
              ...message.block,
              header: {
                ...message.block.header,
                qc: { ...qc, signatures: qc.signatures.map(() => ctx.rng.bytes(64)) },
              },
            },
            ctx,
          );
          return [encodeConsensusMessage({ kind: "proposal", block: forged })];
        }
        default:
          return [honest, honest];
      }
    }
  }
}

/** One encoding per message object: a broadcast to n - 1 peers encodes once, as the real network does. */
const encodings = new WeakMap<ConsensusMessage, Uint8Array>();
function encoded(message: ConsensusMessage): Uint8Array {
  let bytes = encodings.get(message);
  if (!bytes) encodings.set(message, (bytes = encodeConsensusMessage(message)));
  return bytes;
}

function resign(block: Block, ctx: { key: KeyPair; chainId: string }): Block {
  return { ...block, signature: signBlockId(ctx.key, ctx.chainId, blockId(block.header)) };
}

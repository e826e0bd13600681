import { type VoteDelivery, voteDeliveries } from "@ordo/consensus";
import { ValidatorSet } from "@ordo/crypto";
import { type Block, makeGenesisBlock, sha256 } from "@ordo/types";
import { readJsonFile, FieldChecker } from "./jsonFile.js";

/** How transactions are authenticated: Ed25519 client signatures (default) or not at all (permissioned ordering). */
export type TxAuth = "ed25519" | "none";

export interface ConsensusParams {
  /** Most transactions a leader batches into one block. */
  maxTxsPerBlock: number;
  /** Largest encoded block, in bytes. */
  maxBlockBytes: number;
  /** Largest encoded transaction, in bytes. */
  maxTxBytes: number;
  /** Longest a leader waits to fill a batch once it has any pending transaction. */
  maxBatchWaitMs: number;
  /** Round timer before exponential backoff. */
  baseRoundTimeoutMs: number;
  /**
   * Where validators send their votes (RoundManagerOptions.voteDelivery): "auto" (votes for empty
   * blocks to all, others to the next leader), "all" (commits learnt one message delay sooner, for
   * more CPU per block) or "nextLeader" (PROTOCOL.md's flow; one more round when the load stops).
   */
  voteDelivery: VoteDelivery;
}

/** Everything every validator must agree on before the first block. */
export interface Genesis {
  chainId: string;
  /** ISO 8601; informational (timestamps of blocks come from proposers). */
  genesisTime: string;
  validators: ValidatorSet;
  app: { name: string; state: unknown };
  txAuth: TxAuth;
  consensus: ConsensusParams;
}

export const defaultConsensusParams: Readonly<ConsensusParams> = Object.freeze({
  maxTxsPerBlock: 2000,
  maxBlockBytes: 4 * 1024 * 1024,
  maxTxBytes: 64 * 1024,
  maxBatchWaitMs: 5,
  baseRoundTimeoutMs: 1000,
  voteDelivery: "auto",
});

export function genesisToJSON(g: Genesis): unknown {
  return {
    chainId: g.chainId,
    genesisTime: g.genesisTime,
    validators: g.validators.toJSON(),
    app: g.app,
    txAuth: g.txAuth,
    consensus: consensusToJSON(g.consensus),
  };
}

/**
 * The consensus parameters as written: `voteDelivery` only when it is not the default, so a
 * genesis document from before the parameter existed keeps its hash (and its chain's block ids).
 */
function consensusToJSON(p: ConsensusParams): unknown {
  const { voteDelivery, ...rest } = p;
  return voteDelivery === defaultConsensusParams.voteDelivery ? rest : p;
}

/** Parses and checks a genesis document; every problem names its field. */
export function parseGenesis(json: unknown, file = "genesis.json"): Genesis {
  const c = new FieldChecker("INVALID_GENESIS", file);
  const o = c.object(json, "genesis");
  const chainId = c.string(o.chainId, "chainId", /^[a-zA-Z0-9._-]{1,64}$/);
  const genesisTime = c.string(o.genesisTime, "genesisTime");
  if (Number.isNaN(Date.parse(genesisTime))) c.fail("genesisTime", "an ISO 8601 date", genesisTime);
  const validators = parseValidators(c, o.validators);
  const app = c.object(o.app, "app");
  const appName = c.string(app.name, "app.name");
  const txAuth = o.txAuth ?? "ed25519";
  if (txAuth !== "ed25519" && txAuth !== "none") c.fail("txAuth", '"ed25519" or "none"', txAuth);

  const p = c.object(o.consensus ?? {}, "consensus");
  const d = defaultConsensusParams;
  const consensus: ConsensusParams = {
    maxTxsPerBlock: c.int(p.maxTxsPerBlock ?? d.maxTxsPerBlock, "consensus.maxTxsPerBlock", 1, 100_000),
    maxBlockBytes: c.int(p.maxBlockBytes ?? d.maxBlockBytes, "consensus.maxBlockBytes", 1024, 256 * 1024 * 1024),
    maxTxBytes: c.int(p.maxTxBytes ?? d.maxTxBytes, "consensus.maxTxBytes", 128, 16 * 1024 * 1024),
    maxBatchWaitMs: c.int(p.maxBatchWaitMs ?? d.maxBatchWaitMs, "consensus.maxBatchWaitMs", 0, 60_000),
    baseRoundTimeoutMs: c.int(
      p.baseRoundTimeoutMs ?? d.baseRoundTimeoutMs,
      "consensus.baseRoundTimeoutMs",
      10,
      600_000,
    ),
    voteDelivery: (p.voteDelivery ?? d.voteDelivery) as VoteDelivery,
  };
  if (!voteDeliveries.includes(consensus.voteDelivery))
    c.fail("consensus.voteDelivery", voteDeliveries.join(" | "), consensus.voteDelivery);
  if (consensus.maxTxBytes > consensus.maxBlockBytes)
    c.fail("consensus.maxTxBytes", "at most maxBlockBytes", consensus.maxTxBytes);
  return {
    chainId,
    genesisTime,
    validators,
    app: { name: appName, state: app.state ?? null },
    txAuth: txAuth as TxAuth,
    consensus,
  };
}

function parseValidators(c: FieldChecker, json: unknown): ValidatorSet {
  try {
    return ValidatorSet.fromJSON(json);
  } catch (err) {
    return c.fail("validators", `a list of {publicKey, name} (${(err as Error).message})`, "…");
  }
}

export function loadGenesis(path: string): Genesis {
  return parseGenesis(readJsonFile(path, "genesis file"), path);
}

/**
 * The genesis block every validator derives identically: height 0, round 0, and a header whose
 * app hash commits to the genesis document, so two chains with different genesis never share ids.
 */
export function genesisBlock(g: Genesis): { block: Block; id: Uint8Array } {
  const docHash = sha256(new TextEncoder().encode(JSON.stringify(genesisToJSON(g))));
  return makeGenesisBlock(docHash, Date.parse(g.genesisTime));
}

import { MAX_CHAIN_ID_BYTES } from "@ordo/types";
import { ExecutionOptionsError } from "./errors.js";

export interface ExecutionEngineOptions {
  chainId: string;
  /** This validator's index: with `modules.key`, block receipts are signed as this validator. */
  validatorIndex?: number;
  /** Genesis `app.state`, passed to initChain on a fresh app. */
  appState?: unknown;
  /** Genesis time (ms), passed to initChain. */
  genesisTime?: number;
  /** How many recent app hashes to keep for `appHashAt` (divergence checks). */
  hashWindow?: number;
}

export const defaultExecutionOptions = { appState: null, genesisTime: 0, hashWindow: 1024 } as const;

export type ResolvedExecutionOptions = ExecutionEngineOptions & {
  appState: unknown;
  genesisTime: number;
  hashWindow: number;
};

export function validateExecutionOptions(opts: ExecutionEngineOptions, hasKey: boolean): void {
  const bad = (msg: string) => {
    throw new ExecutionOptionsError("INVALID_OPTION", msg);
  };
  if (typeof opts.chainId !== "string" || opts.chainId.length === 0 || opts.chainId.length > MAX_CHAIN_ID_BYTES)
    bad(`chainId must be a non-empty string of at most ${MAX_CHAIN_ID_BYTES} characters`);
  if (opts.validatorIndex !== undefined && (!Number.isInteger(opts.validatorIndex) || opts.validatorIndex < 0))
    bad("validatorIndex must be a non-negative integer");
  if ((opts.validatorIndex !== undefined) !== hasKey)
    bad("validatorIndex and a key go together: receipts are signed only with both");
  if (opts.hashWindow !== undefined && (!Number.isInteger(opts.hashWindow) || opts.hashWindow < 1))
    bad("hashWindow must be a positive integer");
  if (opts.genesisTime !== undefined && (!Number.isSafeInteger(opts.genesisTime) || opts.genesisTime < 0))
    bad("genesisTime must be a non-negative integer (ms)");
}

import type { Block, QuorumCert } from "@ordo/types";

/**
 * Where committed blocks go. Consensus calls `deliver` exactly once per committed block, in
 * height order, and never waits for execution: the executor queues and executes on its own.
 */
export interface Executor {
  /**
   * `blocks` are newly committed, oldest first, each the parent of the next; `commitQc` is the
   * QC whose arrival committed them (it certifies the child of the last block, one round later).
   */
  deliver(blocks: readonly Block[], commitQc: QuorumCert): void;
  /** The highest executed height and the app hash after it: a proposer puts these in its header. */
  lastExecuted(): { height: number; appHash: Uint8Array };
  /** The app hash after `height` if this replica has executed it and still remembers it. */
  appHashAt(height: number): Uint8Array | undefined;
}

import type { Block, BlockReceipt, Transaction, TxResult } from "@ordo/types";

/** What the HTTP API asks of a running node. The validator implements it; the API only translates. */
export interface NodeService {
  /** Admit transactions to the mempool (signature, dedup, app checkTx); one outcome per transaction, in order. */
  submit(txs: readonly Transaction[]): Promise<SubmitOutcome[]>;
  txStatus(id: Uint8Array): TxStatus;
  committedBlock(height: number): Block | undefined;
  /** Every result of an executed height with this validator's signed receipt (one request per block, not per tx). */
  blockResults(height: number): BlockResults | undefined;
  query(path: string, data: Uint8Array): Promise<QueryOutcome>;
  status(): NodeStatus;
  validators(): { index: number; publicKey: string; name?: string; peerId: string }[];
  /** Subscribe to executed heights; returns the unsubscribe function. */
  onCommit(listener: (event: CommitEvent) => void): () => void;
}

export type SubmitOutcome =
  | { accepted: true; id: Uint8Array }
  | { accepted: false; id?: Uint8Array; code: string; message: string };

export type TxStatus =
  /** `searched: "recent"`: this validator keeps no tx index (config storage.txIndex), so only recent heights were searched. */
  | { status: "unknown"; searched?: "recent" }
  | { status: "pending" }
  | {
      status: "committed";
      height: number;
      index: number;
      result: TxResult;
      /** This validator's signed block receipt, and the Merkle path of this transaction's result leaf. */
      receipt: BlockReceipt;
      resultCount: number;
      proof: Uint8Array[];
    };

export interface QueryOutcome {
  code: number;
  value: Uint8Array;
  log: string;
  height: number;
}

export interface NodeStatus {
  chainId: string;
  moniker: string;
  validatorIndex: number;
  height: number;
  round: number;
  leader: number;
  appHash: Uint8Array;
  peers: number;
  catchingUp: boolean;
  mempoolSize: number;
}

export interface CommitEvent {
  height: number;
  blockId: Uint8Array;
  txCount: number;
  appHash: Uint8Array;
  /** This validator's signed receipt and results of the height (a validator that signs has them). */
  results?: BlockResults;
}

export interface BlockResults {
  receipt: BlockReceipt;
  txIds: Uint8Array[];
  results: TxResult[];
}

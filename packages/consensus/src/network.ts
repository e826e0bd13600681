import type {
  BlockRequest,
  BlockResponse,
  CommittedRangeRequest,
  CommittedRangeResponse,
  ConsensusMessage,
} from "@ordo/types";

/**
 * What consensus needs from the network. Implemented by `@ordo/network` over libp2p in a
 * validator, and by the simulator's virtual network in tests. Inbound messages are not part of
 * this interface: whoever owns the network hands each one, already size-limited and strictly
 * decoded, to the round manager as an event together with the sender's validator index.
 */
export interface ConsensusNetwork {
  /** Send to every other validator (never to self): proposals, timeouts, sync info. */
  broadcast(message: ConsensusMessage): void;
  /** Send to one validator (votes to the next leader, a TC to the next leader). */
  sendTo(validator: number, message: ConsensusMessage): void;
  /** Ask one validator for blocks (catch-up). Rejects on timeout or when the peer is unreachable. */
  request(validator: number, request: BlockRequest): Promise<BlockResponse>;
  /**
   * Block sync: ask one validator for committed blocks by height, with a commit proof. Optional:
   * without it a replica catches up by the parent walk alone.
   */
  requestRange?(validator: number, request: CommittedRangeRequest): Promise<CommittedRangeResponse>;
}

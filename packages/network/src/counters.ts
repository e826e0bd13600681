/** Plain counters for the node's status page and metrics; every field only grows. */
export interface NetworkCounters {
  /** Consensus messages received, decoded and handed to the handler. */
  messagesIn: number;
  /** Consensus messages queued for sending (one per destination). */
  messagesOut: number;
  /** Consensus frames written to a stream. */
  framesWritten: number;
  /** Stream writes (each may carry many frames when coalescing). */
  writes: number;
  /** Queued consensus frames dropped because a peer was too slow (oldest first). */
  dropped: number;
  /** Inbound messages rejected: oversized, malformed, or failing gossip validation. */
  rejected: number;
  /** Streams on validator-only protocols refused because the peer is not a validator. */
  refused: number;
  /** Peers we disconnected for misbehaviour. */
  disconnects: number;
  /** Handler exceptions caught at a stream boundary (a bug on our side, not the peer's). */
  handlerErrors: number;
  /** Gossip messages delivered after validation. */
  gossipIn: number;
  /** Gossip messages published. */
  gossipOut: number;
  /** Block requests sent / served / failed (timeouts included). */
  blockRequestsSent: number;
  blockRequestsServed: number;
  blockRequestsFailed: number;
  /** Compact proposals delivered from our own transactions / fetched whole (some unknown) / lost. */
  compactResolved: number;
  compactFetched: number;
  compactFailed: number;
}

export function newCounters(): NetworkCounters {
  return {
    messagesIn: 0,
    messagesOut: 0,
    framesWritten: 0,
    writes: 0,
    dropped: 0,
    rejected: 0,
    refused: 0,
    disconnects: 0,
    handlerErrors: 0,
    gossipIn: 0,
    gossipOut: 0,
    blockRequestsSent: 0,
    blockRequestsServed: 0,
    blockRequestsFailed: 0,
    compactResolved: 0,
    compactFetched: 0,
    compactFailed: 0,
  };
}

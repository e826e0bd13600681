import { type CommitEventJson, sseCommitEvents } from "@ordo/sdk";

export type CommitFeedEvent = CommitEventJson;

/**
 * Follows a validator's commit stream (GET /v1/events, server-sent events) and calls `onCommit`
 * for each executed height, until `signal` aborts. Resolves when the stream ends. (The sdk's
 * reader: malformed events are skipped.)
 */
export async function followCommits(
  url: string,
  onCommit: (e: CommitFeedEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  for await (const e of sseCommitEvents(url, signal)) onCommit(e);
}

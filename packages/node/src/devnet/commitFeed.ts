export interface CommitFeedEvent {
  height: number;
  blockId: string;
  txCount: number;
  appHash: string;
}

/**
 * Follows a validator's commit stream (GET /v1/events, server-sent events) and calls `onCommit`
 * for each executed height, until `signal` aborts. Resolves when the stream ends.
 */
export async function followCommits(
  url: string,
  onCommit: (e: CommitFeedEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(`${url}/v1/events`, { signal, headers: { accept: "text/event-stream" } });
  if (!res.ok || !res.body) throw new Error(`${url}/v1/events answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        if (block.includes("event: commit") && data) onCommit(JSON.parse(data) as CommitFeedEvent);
        end = buffer.indexOf("\n\n");
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

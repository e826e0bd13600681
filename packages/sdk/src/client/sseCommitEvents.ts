import { nodeHttpStream } from "./nodeHttp.js";
import { WireError } from "./wire.js";

/** One `commit` event of a validator's GET /v1/events stream (hex ids). */
export interface CommitEventJson {
  height: number;
  blockId: string;
  txCount: number;
  appHash: string;
  /** The validator's signed receipt of this height (as GET /v1/blocks/:height/receipt gives it), unchecked. */
  receipt?: unknown;
  /** The results list of a small block (as GET /v1/blocks/:height/results gives it), unchecked. */
  txs?: unknown;
}

/** Server-sent `commit` events of GET `${url}/v1/events` (read as the body streams in). */
export async function* sseCommitEvents(url: string, signal: AbortSignal): AsyncGenerator<CommitEventJson> {
  const res = await nodeHttpStream(`${url.replace(/\/+$/, "")}/v1/events`, { accept: "text/event-stream" }, signal);
  if (res.statusCode !== 200) {
    res.destroy();
    throw new WireError(`${url}/v1/events answered HTTP ${res.statusCode}`);
  }
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trimStart();
        }
        if (event !== "commit" || data === "") continue;
        let e: unknown;
        try {
          e = JSON.parse(data);
        } catch {
          continue; // a malformed event is skipped, the stream goes on
        }
        const o = e as Partial<CommitEventJson> | null;
        if (typeof o?.height === "number" && typeof o.txCount === "number")
          yield {
            height: o.height,
            txCount: o.txCount,
            blockId: String(o.blockId ?? ""),
            appHash: String(o.appHash ?? ""),
            ...(o.receipt !== undefined ? { receipt: o.receipt } : {}),
            ...(o.txs !== undefined ? { txs: o.txs } : {}),
          };
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    res.destroy();
  }
}

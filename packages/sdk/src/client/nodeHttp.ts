import http, { type IncomingMessage } from "node:http";
import https from "node:https";

/**
 * HTTP requests on Node's own client with keep-alive agents. `fetch` (undici) builds WHATWG
 * Request/Response objects and streams for every call: in `ordo bench` it was over half of the
 * load generator's CPU (two results fetches and a few POSTs per block, four event streams), and
 * the generator shares the machine with the validators it measures.
 */
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export interface NodeHttpRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the request (it rejects with an "aborted" error). */
  signal?: AbortSignal;
  /** Longest the whole exchange may take, body included. */
  timeoutMs: number;
}

export interface NodeHttpResponse {
  status: number;
  /** The content-type header ("" when absent). */
  contentType: string;
  body: Buffer;
}

/** One request, its whole body read; rejects on a connection error, the timeout or an abort. */
export function nodeHttpRequest(url: string, req: NodeHttpRequest): Promise<NodeHttpResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: Error | undefined, res?: NodeHttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(res!);
    };
    const r = open(url, req, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        done(undefined, {
          status: res.statusCode ?? 0,
          contentType: res.headers["content-type"] ?? "",
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        }),
      );
      res.on("error", (err) => done(err));
    });
    const timer = setTimeout(() => r.destroy(new Error(`no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
    const onAbort = () => r.destroy(new Error("aborted"));
    r.on("error", (err) => done(err));
    if (req.signal?.aborted) return onAbort();
    req.signal?.addEventListener("abort", onAbort, { once: true });
    r.end(req.body);
  });
}

/** A GET whose body is read as it streams (server-sent events); `signal` ends it. */
export function nodeHttpStream(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const r = open(url, { headers, timeoutMs: 0 }, resolve);
    const onAbort = () => r.destroy(new Error("aborted"));
    r.on("error", reject);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    r.on("close", () => signal.removeEventListener("abort", onAbort));
    r.end();
  });
}

function open(
  url: string,
  req: Omit<NodeHttpRequest, "signal">,
  onResponse: (res: IncomingMessage) => void,
): http.ClientRequest {
  const u = new URL(url);
  const secure = u.protocol === "https:";
  if (!secure && u.protocol !== "http:") throw new Error(`${url}: only http and https URLs are supported`);
  const body = req.body;
  const headers = { ...req.headers };
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  return (secure ? https : http).request(
    u,
    { method: req.method ?? "GET", headers, agent: agents[secure ? "https:" : "http:"] },
    onResponse,
  );
}

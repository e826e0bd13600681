import { TransportError } from "./errors.js";
import { type NodeHttpRequest, nodeHttpRequest } from "./nodeHttp.js";
import type { BytesResponse, Transport, TransportResponse } from "./transport.js";

export interface HttpTransportOptions {
  /** Longest one request may take, connection included. */
  requestTimeoutMs: number;
}

export const defaultHttpTransportOptions: Readonly<HttpTransportOptions> = Object.freeze({ requestTimeoutMs: 10_000 });

/** JSON over Node's HTTP client with keep-alive connections (see nodeHttp.ts for why not `fetch`). */
export class HttpTransport implements Transport {
  readonly #opts: HttpTransportOptions;

  constructor(opts: Partial<HttpTransportOptions> = {}) {
    this.#opts = { ...defaultHttpTransportOptions, ...opts };
  }

  get(baseUrl: string, path: string, signal?: AbortSignal): Promise<TransportResponse> {
    return this.#request(baseUrl, path, { method: "GET" }, signal);
  }

  async getBytes(baseUrl: string, path: string, accept: string, signal?: AbortSignal): Promise<BytesResponse> {
    const url = `${baseUrl.replace(/\/+$/, "")}${path}`;
    try {
      const r = await nodeHttpRequest(url, {
        method: "GET",
        headers: { accept },
        timeoutMs: this.#opts.requestTimeoutMs,
        ...(signal ? { signal } : {}),
      });
      return { status: r.status, contentType: r.contentType, body: r.body };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw new TransportError("UNREACHABLE", `${url}: ${e.code ?? e.message ?? String(err)}`, { url });
    }
  }

  post(baseUrl: string, path: string, body: unknown, signal?: AbortSignal): Promise<TransportResponse> {
    const init = {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    } as const;
    return this.#request(baseUrl, path, init, signal);
  }

  async #request(
    baseUrl: string,
    path: string,
    init: Pick<NodeHttpRequest, "method" | "headers" | "body">,
    signal?: AbortSignal,
  ): Promise<TransportResponse> {
    const url = `${baseUrl.replace(/\/+$/, "")}${path}`;
    let res: { status: number };
    let text: string;
    try {
      const r = await nodeHttpRequest(url, {
        ...init,
        timeoutMs: this.#opts.requestTimeoutMs,
        ...(signal ? { signal } : {}),
      });
      res = r;
      text = r.body.toString("utf8");
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw new TransportError("UNREACHABLE", `${url}: ${e.code ?? e.message ?? String(err)}`, { url });
    }
    let body: unknown;
    try {
      body = text.length === 0 ? null : JSON.parse(text);
    } catch {
      throw new TransportError("BAD_RESPONSE", `${url}: HTTP ${res.status} with a body that is not JSON`, {
        url,
        status: res.status,
      });
    }
    return { status: res.status, body };
  }
}

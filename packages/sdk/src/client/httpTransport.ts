import { TransportError } from "./errors.js";
import type { Transport, TransportResponse } from "./transport.js";

export interface HttpTransportOptions {
  /** Longest one request may take, connection included. */
  requestTimeoutMs: number;
}

export const defaultHttpTransportOptions: Readonly<HttpTransportOptions> = Object.freeze({ requestTimeoutMs: 10_000 });

/** JSON over `fetch` (undici keeps connections alive, so polling reuses them). */
export class HttpTransport implements Transport {
  readonly #opts: HttpTransportOptions;

  constructor(opts: Partial<HttpTransportOptions> = {}) {
    this.#opts = { ...defaultHttpTransportOptions, ...opts };
  }

  get(baseUrl: string, path: string, signal?: AbortSignal): Promise<TransportResponse> {
    return this.#request(baseUrl, path, { method: "GET" }, signal);
  }

  post(baseUrl: string, path: string, body: unknown, signal?: AbortSignal): Promise<TransportResponse> {
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
    return this.#request(baseUrl, path, init, signal);
  }

  async #request(baseUrl: string, path: string, init: RequestInit, signal?: AbortSignal): Promise<TransportResponse> {
    const url = `${baseUrl.replace(/\/+$/, "")}${path}`;
    const timeout = AbortSignal.timeout(this.#opts.requestTimeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      text = await res.text();
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new TransportError("UNREACHABLE", `${url}: ${why}`, { url });
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

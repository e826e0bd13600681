/** One HTTP exchange with a validator: the status and the parsed JSON body. */
export interface TransportResponse {
  status: number;
  body: unknown;
}

/**
 * How the client talks to a validator's HTTP API. `HttpTransport` uses `fetch`; tests may count or
 * fault requests. Implementations throw `TransportError` (UNREACHABLE, BAD_RESPONSE), never a bare Error.
 */
export interface Transport {
  get(baseUrl: string, path: string, signal?: AbortSignal): Promise<TransportResponse>;
  post(baseUrl: string, path: string, body: unknown, signal?: AbortSignal): Promise<TransportResponse>;
  /**
   * A GET asking for `accept` (a binary form), its body as bytes with the content type the server
   * chose. Optional: without it, callers use `get` and JSON.
   */
  getBytes?(baseUrl: string, path: string, accept: string, signal?: AbortSignal): Promise<BytesResponse>;
}

export interface BytesResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
}

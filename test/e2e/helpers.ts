/** GETs `url` and parses its JSON body; throws on a non-2xx answer. */
export async function fetchJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

export interface StatusJson {
  chainId: string;
  height: number;
  round: number;
  appHash: string;
  peers: number;
}

export async function statusOf(url: string): Promise<StatusJson> {
  return (await fetchJson(`${url}/v1/status`)) as unknown as StatusJson;
}

/**
 * Polls `probe` (another process's state cannot be awaited as an event) until it returns a value,
 * at most `timeoutMs`; the error names what was awaited and the last failure.
 */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

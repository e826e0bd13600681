import { AppHarness, BaseApplication, Code, fail, ok, type TxContext } from "@ordo/sdk";

const COUNT = new TextEncoder().encode("count");

/** A replicated counter: each transaction adds its payload's first byte; "count" queries it. */
export class CounterApp extends BaseApplication {
  constructor() {
    super();
    this.queries = { count: () => ok(new TextEncoder().encode(String(this.count()))) };
  }

  count(): number {
    const bytes = this.store.get(COUNT);
    return bytes ? Number(new TextDecoder().decode(bytes)) : 0;
  }

  protected override genesis(appState: unknown): void {
    const start = (appState as { start?: number } | null)?.start ?? 0;
    this.store.set(COUNT, new TextEncoder().encode(String(start)));
  }

  protected override check(tx: TxContext) {
    return tx.payload.length === 1 ? ok() : fail(Code.BAD_PAYLOAD, "payload is one byte");
  }

  protected override deliverTx(tx: TxContext) {
    const checked = this.check(tx);
    if (checked.code !== Code.OK) return checked;
    this.store.set(COUNT, new TextEncoder().encode(String(this.count() + tx.payload[0]!)));
    return ok();
  }
}

// Test it in-process, no network needed:
export async function demo(): Promise<string> {
  const h = await AppHarness.create(new CounterApp(), { appState: { start: 10 } });
  const alice = h.account();
  const block = await h.block([alice.tx(new Uint8Array([5])), alice.tx(new Uint8Array([1, 2]))]);
  const codes = block.results.map((r) => r.code); // [0, Code.BAD_PAYLOAD]
  const count = new TextDecoder().decode((await h.query("count")).value); // "15"
  return `${codes.join(",")} ${count}`;
}

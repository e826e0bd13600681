import { FieldChecker, readJsonFile } from "./jsonFile.js";

/** One validator's local settings (`config.json` in its home folder). Nothing here must match other nodes. */
export interface NodeConfig {
  /** Human-readable name in logs and status. */
  moniker: string;
  p2p: {
    /** libp2p listen multiaddrs, e.g. /ip4/127.0.0.1/tcp/26656. */
    listen: string[];
    /** Multiaddrs with peer ids of nodes to dial first; discovery finds the rest. */
    bootstrap: string[];
    /** mDNS multicasts on every interface: off unless asked for. */
    mdns: boolean;
  };
  http: {
    host: string;
    port: number;
    /** Largest accepted request body, in bytes. */
    bodyLimitBytes: number;
  };
  storage: {
    /** Keep this many committed blocks behind the head (0 keeps everything). */
    retainBlocks: number;
    /**
     * Index committed transactions by id, so GET /v1/tx/:id finds any stored one (default true).
     * Off, only the last 64 heights are searched: for ordering-only deployments whose clients
     * follow the commit stream, it saves a random B-tree write per transaction.
     */
    txIndex: boolean;
  };
  log: { level: "debug" | "info" | "warn" | "error" };
}

export const defaultNodeConfig: Readonly<NodeConfig> = Object.freeze({
  moniker: "ordo-node",
  p2p: { listen: ["/ip4/127.0.0.1/tcp/0"], bootstrap: [], mdns: false },
  http: { host: "127.0.0.1", port: 8080, bodyLimitBytes: 16 * 1024 * 1024 },
  storage: { retainBlocks: 0, txIndex: true },
  log: { level: "info" as const },
});

const LEVELS = ["debug", "info", "warn", "error"] as const;

/** Fills in defaults and checks every field; errors name the field and what it must be. */
export function validateNodeConfig(json: unknown, file = "config.json"): NodeConfig {
  const c = new FieldChecker("INVALID_CONFIG", file);
  const o = c.object(json ?? {}, "config");
  const d = defaultNodeConfig;
  const p2p = c.object(o.p2p ?? {}, "p2p");
  const http = c.object(o.http ?? {}, "http");
  const storage = c.object(o.storage ?? {}, "storage");
  const log = c.object(o.log ?? {}, "log");
  const level = log.level ?? d.log.level;
  if (!LEVELS.includes(level as (typeof LEVELS)[number])) c.fail("log.level", LEVELS.join(" | "), level);
  const listen = c.stringArray(p2p.listen ?? d.p2p.listen, "p2p.listen");
  if (listen.length === 0) c.fail("p2p.listen", "at least one multiaddr", listen);
  for (const [i, addr] of listen.entries()) if (!addr.startsWith("/")) c.fail(`p2p.listen[${i}]`, "a multiaddr", addr);
  const bootstrap = c.stringArray(p2p.bootstrap ?? d.p2p.bootstrap, "p2p.bootstrap");
  for (const [i, addr] of bootstrap.entries()) {
    if (!/^\/.+\/p2p\/\w+$/.test(addr)) c.fail(`p2p.bootstrap[${i}]`, "a multiaddr ending in /p2p/<peer id>", addr);
  }
  return {
    moniker: c.string(o.moniker ?? d.moniker, "moniker", /^[\w.-]{1,64}$/),
    p2p: { listen, bootstrap, mdns: c.bool(p2p.mdns ?? d.p2p.mdns, "p2p.mdns") },
    http: {
      host: c.string(http.host ?? d.http.host, "http.host"),
      port: reachablePort(c, c.int(http.port ?? d.http.port, "http.port", 0, 65535), "http.port"),
      bodyLimitBytes: c.int(http.bodyLimitBytes ?? d.http.bodyLimitBytes, "http.bodyLimitBytes", 1024, 1024 ** 3),
    },
    storage: {
      retainBlocks: c.int(
        storage.retainBlocks ?? d.storage.retainBlocks,
        "storage.retainBlocks",
        0,
        Number.MAX_SAFE_INTEGER,
      ),
      txIndex: c.bool(storage.txIndex ?? d.storage.txIndex, "storage.txIndex"),
    },
    log: { level: level as NodeConfig["log"]["level"] },
  };
}

/**
 * Ports that fetch (the Fetch standard: browsers, Node's fetch) refuses to connect to:
 * an API there would answer curl but never a client.
 */
const FETCH_BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

function reachablePort(c: FieldChecker, port: number, field: string): number {
  if (FETCH_BLOCKED_PORTS.has(port))
    c.fail(field, "a port that fetch clients may connect to (not on the Fetch standard's blocked list)", port);
  return port;
}

export function loadNodeConfig(path: string): NodeConfig {
  return validateNodeConfig(readJsonFile(path, "node config"), path);
}

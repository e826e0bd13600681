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
  };
  log: { level: "debug" | "info" | "warn" | "error" };
}

export const defaultNodeConfig: Readonly<NodeConfig> = Object.freeze({
  moniker: "ordo-node",
  p2p: { listen: ["/ip4/127.0.0.1/tcp/0"], bootstrap: [], mdns: false },
  http: { host: "127.0.0.1", port: 8080, bodyLimitBytes: 16 * 1024 * 1024 },
  storage: { retainBlocks: 0 },
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
      port: c.int(http.port ?? d.http.port, "http.port", 0, 65535),
      bodyLimitBytes: c.int(http.bodyLimitBytes ?? d.http.bodyLimitBytes, "http.bodyLimitBytes", 1024, 1024 ** 3),
    },
    storage: {
      retainBlocks: c.int(
        storage.retainBlocks ?? d.storage.retainBlocks,
        "storage.retainBlocks",
        0,
        Number.MAX_SAFE_INTEGER,
      ),
    },
    log: { level: level as NodeConfig["log"]["level"] },
  };
}

export function loadNodeConfig(path: string): NodeConfig {
  return validateNodeConfig(readJsonFile(path, "node config"), path);
}

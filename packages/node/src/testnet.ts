import { join } from "node:path";
import { KeyPair } from "@ordo/crypto";
import { toBase64 } from "@ordo/types";
import { type NodeConfig, validateNodeConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import {
  type ConsensusParams,
  type Genesis,
  defaultConsensusParams,
  genesisToJSON,
  parseGenesis,
  type TxAuth,
} from "./genesis.js";
import { ensureDir, homePaths, writeJsonFile } from "./home.js";
import { peerIdOfKeyPair } from "./peerIdentity.js";

export interface TestnetOptions {
  validators: number;
  out: string;
  app: string;
  chainId?: string;
  /** First libp2p port; validator i listens on p2pBasePort + i. */
  p2pBasePort?: number;
  /** First HTTP port; validator i serves on httpBasePort + i. */
  httpBasePort?: number;
  /** Client accounts to create keys for and fund at genesis (for the bank app). */
  accounts?: number;
  initialBalance?: bigint;
  txAuth?: TxAuth;
  /** Genesis consensus parameters to override. */
  consensus?: Partial<ConsensusParams>;
  /** Every validator's config storage.retainBlocks (0: keep every block). */
  retainBlocks?: number;
  /** Every validator's config storage.txIndex (default true). */
  txIndex?: boolean;
}

export interface TestnetLayout {
  genesis: Genesis;
  homes: string[];
  accountKeyFiles: string[];
  httpUrls: string[];
}

/**
 * Writes a complete local testnet: one home folder per validator (keys, shared genesis, a config
 * on loopback ports whose bootstrap list is validator 0), and funded client account keys.
 */
export function generateTestnet(opts: TestnetOptions): TestnetLayout {
  const n = opts.validators;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new ConfigError("INVALID_CONFIG", "--validators must be 1..100");
  const p2pBase = opts.p2pBasePort ?? 26600;
  const httpBase = opts.httpBasePort ?? 8080;
  const keys = Array.from({ length: n }, () => KeyPair.generate());
  const accounts = Array.from({ length: opts.accounts ?? 8 }, () => KeyPair.generate());
  const initialBalance = opts.initialBalance ?? 1_000_000_000n;

  const genesisJson = {
    chainId: opts.chainId ?? `ordo-devnet-${Math.random().toString(36).slice(2, 8)}`,
    genesisTime: new Date().toISOString(),
    validators: keys.map((k, i) => ({ publicKey: toBase64(k.publicKey), name: `validator-${i}` })),
    app: {
      name: opts.app,
      state: {
        accounts: accounts.map((a) => ({ publicKey: toBase64(a.publicKey), balance: initialBalance.toString() })),
      },
    },
    txAuth: opts.txAuth ?? "ed25519",
    consensus: { ...defaultConsensusParams, ...opts.consensus },
  };
  const genesis = parseGenesis(genesisJson);

  const bootstrap = `/ip4/127.0.0.1/tcp/${p2pBase}/p2p/${peerIdOfKeyPair(keys[0]!)}`;
  const homes: string[] = [];
  keys.forEach((key, i) => {
    const home = join(opts.out, `node${i}`);
    ensureDir(home);
    const config: NodeConfig = validateNodeConfig({
      moniker: `validator-${i}`,
      p2p: { listen: [`/ip4/127.0.0.1/tcp/${p2pBase + i}`], bootstrap: i === 0 ? [] : [bootstrap], mdns: false },
      http: { host: "127.0.0.1", port: httpBase + i },
      storage: {
        ...(opts.retainBlocks !== undefined ? { retainBlocks: opts.retainBlocks } : {}),
        ...(opts.txIndex !== undefined ? { txIndex: opts.txIndex } : {}),
      },
    });
    const paths = homePaths(home);
    writeJsonFile(paths.config, config);
    writeJsonFile(paths.genesis, genesisToJSON(genesis));
    writeJsonFile(paths.key, key.toJSON(), 0o600);
    homes.push(home);
  });
  const accountDir = join(opts.out, "accounts");
  ensureDir(accountDir);
  const accountKeyFiles = accounts.map((a, i) => {
    const file = join(accountDir, `account${i}.json`);
    writeJsonFile(file, a.toJSON(), 0o600);
    return file;
  });
  return { genesis, homes, accountKeyFiles, httpUrls: keys.map((_, i) => `http://127.0.0.1:${httpBase + i}`) };
}

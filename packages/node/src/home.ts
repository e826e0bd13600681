import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CryptoError, KeyPair } from "@ordo/crypto";
import { loadNodeConfig, type NodeConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { type Genesis, loadGenesis } from "./genesis.js";
import { readJsonFile } from "./jsonFile.js";

/**
 * A validator's home folder:
 *   config.json    local settings (NodeConfig)
 *   genesis.json   the chain's genesis, identical on every validator
 *   key.json       the validator's Ed25519 key (also its libp2p identity), mode 0600
 *   data/          the embedded store
 */
export const homePaths = (home: string) => ({
  config: join(home, "config.json"),
  genesis: join(home, "genesis.json"),
  key: join(home, "key.json"),
  data: join(home, "data"),
});

export interface Home {
  path: string;
  config: NodeConfig;
  genesis: Genesis;
  key: KeyPair;
  /** This node's index in the validator set, or -1 for a follower. */
  validatorIndex: number;
  dataDir: string;
}

export function loadHome(home: string): Home {
  if (!existsSync(home))
    throw new ConfigError("MISSING_FILE", `home folder ${home} does not exist (create one with 'ordo testnet')`);
  const paths = homePaths(home);
  const config = loadNodeConfig(paths.config);
  const genesis = loadGenesis(paths.genesis);
  let key: KeyPair;
  try {
    key = KeyPair.fromJSON(readJsonFile(paths.key, "validator key"));
  } catch (err) {
    if (err instanceof CryptoError) throw new ConfigError("INVALID_KEY", `${paths.key}: ${err.message}`);
    throw err;
  }
  return {
    path: home,
    config,
    genesis,
    key,
    validatorIndex: genesis.validators.indexOf(key.publicKey),
    dataDir: paths.data,
  };
}

export function writeJsonFile(path: string, value: unknown, mode?: number): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, mode === undefined ? undefined : { mode });
  if (mode !== undefined) chmodSync(path, mode);
}

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true });
}

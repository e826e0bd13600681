import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { AppFactory } from "@ordo/sdk";
import { ConfigError } from "../errors.js";

/** Apps that ship with Ordo, by the name genesis.json gives them. */
const builtin: Record<string, () => Promise<{ createApp: AppFactory }>> = {
  bank: () => import("@ordo/app-bank"),
  kv: () => import("@ordo/app-kv"),
  noop: () => import("@ordo/app-noop"),
};

/**
 * Whether `name` is an app that ships with Ordo: these keep all their state in the backend they are
 * given (the validator's store), so the validator may write their commit in one batch with the results.
 */
export function isBuiltinApp(name: string): boolean {
  return Object.hasOwn(builtin, name);
}

/**
 * Finds an app's factory: a built-in name (`bank`, `kv`), an npm package name, or a path to the
 * author's own package or module. Whatever it is must export `createApp`.
 */
export async function loadAppFactory(name: string, baseDir = process.cwd()): Promise<AppFactory> {
  let mod: { createApp?: unknown };
  try {
    if (builtin[name]) mod = await builtin[name]();
    else if (name.startsWith(".") || isAbsolute(name)) mod = await import(pathToFileURL(resolve(baseDir, name)).href);
    else mod = await import(name);
  } catch (err) {
    throw new ConfigError(
      "INVALID_GENESIS",
      `cannot load app "${name}": ${(err as Error).message} (use bank, kv, a package name or a path)`,
    );
  }
  if (typeof mod.createApp !== "function")
    throw new ConfigError("INVALID_GENESIS", `app "${name}" does not export a createApp function`);
  return mod.createApp as AppFactory;
}

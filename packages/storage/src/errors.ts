import { statfsSync } from "node:fs";
import { OrdoError } from "@ordo/types";

export type StorageErrorCode = "OPEN_FAILED" | "NOT_WRITABLE" | "DISK_FULL" | "IO_ERROR" | "CORRUPT" | "CLOSED";

/** Below this much free space, an I/O error on write is taken for a full disk. */
const NEARLY_FULL_BYTES = 4 * 1024 * 1024;

export class StorageError extends OrdoError<StorageErrorCode> {}

/**
 * Damaged safety data: never read as the initial data, which would let this validator sign twice
 * in a round it already signed in.
 */
export function damagedSafetyData(path: string, why: string, meta: Record<string, unknown> = {}): StorageError {
  return new StorageError(
    "CORRUPT",
    `the safety data in ${path} is damaged (${why}); starting from initial data could make ` +
      "this validator sign twice in a round: restore the store from a backup, or start it with a new key",
    { path, ...meta },
  );
}

/** Turns an error from LMDB or the file system into a StorageError that says what to do. */
export function storageErrorFrom(err: unknown, path: string, action: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as { code?: string | number; message?: string };
  const message = e?.message ?? String(err);
  // lmdb-js gives errno as a number (28, 5) and LMDB reports a short write (a disk that filled
  // up in the middle of writing a multi-page value) as EIO: then the free space decides.
  const ioError = e?.code === "EIO" || e?.code === 5 || /Input\/output error/i.test(message);
  if (
    e?.code === "ENOSPC" ||
    e?.code === 28 ||
    /MDB_MAP_FULL|ENOSPC|No space left/i.test(message) ||
    (ioError && freeBytes(path) < NEARLY_FULL_BYTES)
  ) {
    return new StorageError(
      "DISK_FULL",
      `${action}: no space left for the store at ${path} (free disk space or raise mapSize)`,
      {
        path,
        cause: message,
      },
    );
  }
  if (
    ["EACCES", "EROFS", "EPERM"].includes(String(e?.code ?? "")) ||
    /EACCES|EROFS|EPERM|read-only|Permission denied/i.test(message)
  ) {
    return new StorageError("NOT_WRITABLE", `${action}: the store folder ${path} is not writable (${message})`, {
      path,
    });
  }
  if (ioError) {
    return new StorageError(
      "IO_ERROR",
      `${action}: the disk holding ${path} returned an I/O error (${message}); check the device (kernel log) before restarting`,
      { path },
    );
  }
  if (/MDB_CORRUPTED|MDB_INVALID|MDB_VERSION_MISMATCH/i.test(message)) {
    return new StorageError(
      "CORRUPT",
      `${action}: the store at ${path} is damaged or from another version (${message})`,
      {
        path,
      },
    );
  }
  return new StorageError("OPEN_FAILED", `${action} at ${path} failed: ${message}`, { path });
}

function freeBytes(path: string): number {
  try {
    const fs = statfsSync(path);
    return fs.bavail * fs.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

import { OrdoError } from "@ordo/types";

export type StorageErrorCode = "OPEN_FAILED" | "NOT_WRITABLE" | "DISK_FULL" | "CORRUPT" | "CLOSED";

export class StorageError extends OrdoError<StorageErrorCode> {}

/** Turns an error from LMDB or the file system into a StorageError that says what to do. */
export function storageErrorFrom(err: unknown, path: string, action: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  if (e?.code === "ENOSPC" || /MDB_MAP_FULL|ENOSPC|No space left/i.test(message)) {
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
    ["EACCES", "EROFS", "EPERM"].includes(e?.code ?? "") ||
    /EACCES|EROFS|EPERM|read-only|Permission denied/i.test(message)
  ) {
    return new StorageError("NOT_WRITABLE", `${action}: the store folder ${path} is not writable (${message})`, {
      path,
    });
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

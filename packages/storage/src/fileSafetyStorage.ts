import { closeSync, constants, existsSync, fsyncSync, openSync, readSync, renameSync, write, writeSync } from "node:fs";
import { dirname } from "node:path";
import {
  decodeSafetyData,
  encodeSafetyData,
  initialSafetyData,
  type SafetyData,
  type SafetyStorage,
} from "@ordo/consensus";
import { bytesEqual, sha256 } from "@ordo/types";
import { damagedSafetyData, StorageError, storageErrorFrom } from "./errors.js";

/**
 * SafetyData in a small file of its own, written in place by a `pwrite` on an O_DSYNC descriptor
 * (durable when it returns: ~0.2-0.4 ms here alone, ~1.4 ms while four validators' LMDB flushes
 * share the disk) on libuv's thread pool, so the event loop goes on meanwhile. It used to be an
 * LMDB record written with `putSync`, which must wait for LMDB's single write lock: while the
 * background thread committed a block, a vote waited ~5 ms.
 *
 * One write at a time: a `store` arriving while one is in flight waits, and several waiting ones
 * become one write of the latest data (SafetyData only grows), whose completion answers them all.
 *
 * Two slots of SLOT_BYTES alternate, each `magic | seq u64 | data | checksum`: a write torn by a
 * crash damages only the slot being written, and that write had not returned, so no signature
 * depending on it left the process; load takes the valid slot with the highest sequence number.
 * Both slots damaged loads as StorageError("CORRUPT"), never as the initial data, which would let
 * this replica vote again in rounds it already voted in.
 *
 * The file is created whole (temporary file, fsync, rename, fsync of the folder), from `legacy`
 * when given: the data a store kept before this file existed.
 */
export class FileSafetyStorage implements SafetyStorage {
  readonly path: string;
  readonly #fd: number;
  #seq: bigint;
  #data: SafetyData;
  #writing = false;
  #closed = false;
  /** The data of the next write and whom to answer when it is durable. */
  #next: SafetyData | undefined;
  #nextDone: ((err: Error | null) => void)[] = [];

  private constructor(path: string, fd: number, seq: bigint, data: SafetyData) {
    this.path = path;
    this.#fd = fd;
    this.#seq = seq;
    this.#data = data;
  }

  static open(path: string, legacy?: () => SafetyData | undefined): FileSafetyStorage {
    try {
      if (!existsSync(path)) createFile(path, legacy?.() ?? { ...initialSafetyData });
      // O_DSYNC: each pwrite returns once its data is on disk (as pwrite + fdatasync would), which
      // is one trip to the thread pool instead of two.
      const fd = openSync(path, constants.O_RDWR | constants.O_DSYNC);
      try {
        const { seq, data } = readSlots(fd, path);
        return new FileSafetyStorage(path, fd, seq, data);
      } catch (err) {
        closeSync(fd);
        throw err;
      }
    } catch (err) {
      throw storageErrorFrom(err, dirname(path), "opening the safety data");
    }
  }

  load(): SafetyData {
    return { ...this.#data };
  }

  store(data: SafetyData, done: (err: Error | null) => void): void {
    if (this.#closed) {
      done(new StorageError("CLOSED", `the safety data file ${this.path} is closed`, { path: this.path }));
      return;
    }
    this.#next = { ...data };
    this.#nextDone.push(done);
    if (!this.#writing) this.#writeNext();
  }

  /** Finishes the writes asked for, then closes the file; a later `store` fails. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#writing) await new Promise<void>((resolve) => this.#nextDone.push(() => resolve()));
    closeSync(this.#fd);
  }

  #writeNext(): void {
    const data = this.#next;
    const waiting = this.#nextDone;
    if (data === undefined) return;
    this.#next = undefined;
    this.#nextDone = [];
    this.#writing = true;
    const seq = this.#seq + 1n;
    const finish = (err: NodeJS.ErrnoException | null) => {
      this.#writing = false;
      let failure: Error | null = null;
      if (err) failure = storageErrorFrom(err, dirname(this.path), "writing the safety data");
      else {
        this.#seq = seq;
        this.#data = data;
      }
      for (const done of waiting) answer(done, failure);
      // Writes asked for meanwhile go out now, or the waiters of close() are answered.
      if (this.#next !== undefined) this.#writeNext();
      else if (this.#nextDone.length > 0) for (const done of this.#nextDone.splice(0)) answer(done, null);
    };
    write(this.#fd, slotBytes(seq, data), 0, SLOT_BYTES, Number(seq % 2n) * SLOT_BYTES, (err, written) => {
      if (!err && written !== SLOT_BYTES) {
        // A short write (a disk filling up) is no durable slot: the other slot still holds the last one.
        finish(Object.assign(new Error(`short write: ${written} of ${SLOT_BYTES} bytes`), { code: "EIO" }));
      } else finish(err);
    });
  }
}

/** A waiter that throws must not keep the others (or the next write) from running: it fails on its own. */
function answer(done: (err: Error | null) => void, err: Error | null): void {
  try {
    done(err);
  } catch (thrown) {
    queueMicrotask(() => {
      throw thrown;
    });
  }
}

const MAGIC = new Uint8Array([0x4f, 0x53, 0x46, 0x31]); // "OSF1"
const SLOT_BYTES = 64;
const CHECKSUM_BYTES = 8;

function slotBytes(seq: bigint, data: SafetyData): Uint8Array {
  const body = encodeSafetyData(data);
  const slot = new Uint8Array(SLOT_BYTES);
  const view = new DataView(slot.buffer);
  slot.set(MAGIC, 0);
  view.setBigUint64(4, seq);
  view.setUint16(12, body.length);
  slot.set(body, 14);
  const end = 14 + body.length;
  slot.set(sha256(slot.subarray(0, end)).subarray(0, CHECKSUM_BYTES), end);
  return slot;
}

/** The slot's sequence number and data, or undefined when it is damaged (or never written). */
function parseSlot(slot: Uint8Array): { seq: bigint; data: SafetyData } | undefined {
  if (!bytesEqual(slot.subarray(0, 4), MAGIC)) return undefined;
  const view = new DataView(slot.buffer, slot.byteOffset, slot.byteLength);
  const length = view.getUint16(12);
  const end = 14 + length;
  if (end + CHECKSUM_BYTES > SLOT_BYTES) return undefined;
  const sum = slot.subarray(end, end + CHECKSUM_BYTES);
  if (!bytesEqual(sum, sha256(slot.subarray(0, end)).subarray(0, CHECKSUM_BYTES))) return undefined;
  try {
    return { seq: view.getBigUint64(4), data: decodeSafetyData(slot.subarray(14, end)) };
  } catch {
    return undefined;
  }
}

function readSlots(fd: number, path: string): { seq: bigint; data: SafetyData } {
  const bytes = new Uint8Array(2 * SLOT_BYTES);
  const read = readSync(fd, bytes, 0, bytes.length, 0);
  const slots = [0, 1]
    .map((i) =>
      read >= (i + 1) * SLOT_BYTES ? parseSlot(bytes.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES)) : undefined,
    )
    .filter((s) => s !== undefined);
  if (slots.length === 0) {
    throw damagedSafetyData(path, `${read} bytes, no slot passes its checksum`);
  }
  return slots.reduce((a, b) => (b.seq > a.seq ? b : a));
}

function createFile(path: string, data: SafetyData): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    const both = new Uint8Array(2 * SLOT_BYTES);
    both.set(slotBytes(0n, data), 0);
    writeSync(fd, both, 0, both.length, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

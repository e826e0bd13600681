import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ): 100 on every Linux we run on. */
const USER_HZ = 100;

/** CPU time (user + system, seconds) of process `pid` from /proc/<pid>/stat; undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "pid (comm) ".
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / USER_HZ;
}

/** /proc/<pid>/status, or undefined once the process is gone. */
function processStatus(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
}

/** A "Name:   N kB" line of a status text, in bytes. */
function statusBytes(status: string, name: string): number | undefined {
  const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, "m").exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Peak resident set size (VmHWM, bytes) of process `pid` from /proc/<pid>/status. */
export function processPeakRssBytes(pid: number): number | undefined {
  const status = processStatus(pid);
  return status === undefined ? undefined : statusBytes(status, "VmHWM");
}

/**
 * Resident memory of process `pid` now, split as /proc/<pid>/status does: anonymous (the JS heap,
 * buffers, native allocations) and file-backed (mostly the LMDB map, which grows with the store
 * and which the kernel can drop), in bytes.
 */
export function processRssSplit(pid: number): { anon: number; file: number } | undefined {
  const status = processStatus(pid);
  if (status === undefined) return undefined;
  const anon = statusBytes(status, "RssAnon");
  const file = statusBytes(status, "RssFile");
  return anon !== undefined && file !== undefined ? { anon, file } : undefined;
}

/** CPU used by a set of processes between `mark()` and `read()`, as a share of one core. */
export class CpuMeter {
  #marks: (number | undefined)[] = [];
  #at = 0;

  constructor(readonly pids: readonly number[]) {}

  mark(): void {
    this.#marks = this.pids.map(processCpuSeconds);
    this.#at = performance.now();
  }

  /** Cores used by each process since the last mark (1.0 = one core busy all the time). */
  read(): (number | undefined)[] {
    const seconds = (performance.now() - this.#at) / 1000;
    return this.pids.map((pid, i) => {
      const now = processCpuSeconds(pid);
      const then = this.#marks[i];
      return now === undefined || then === undefined || seconds <= 0
        ? undefined
        : Math.round(((now - then) / seconds) * 1000) / 1000;
    });
  }
}

/** Busy and total CPU seconds of the whole machine (all cores) from /proc/stat's first line. */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync("/proc/stat", "utf8");
  } catch {
    return undefined;
  }
  const f = stat.slice(0, stat.indexOf("\n")).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: (total - idle) / USER_HZ, total: total / USER_HZ };
}

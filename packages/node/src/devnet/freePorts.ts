import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * `ranges` runs of `length` consecutive TCP ports on loopback, each free now, all distinct.
 *
 * They are taken below the kernel's ephemeral range (from which outgoing connections take their
 * local ports): a port the OS hands out for `listen(0)` sits inside that range, and the ports next
 * to it were often already used by a connection of the same test run, so a validator failed to
 * start with EADDRINUSE now and then. Outside the range only another listener can take a port
 * between this check and the validator's bind.
 */
export async function freePortRuns(ranges: number, length: number): Promise<number[]> {
  const [low] = ephemeralRange();
  // Above every port on the Fetch standard's blocked list (the config refuses those for HTTP) and the
  // well-known services.
  const floor = 20_000;
  const ceiling = Math.max(floor + 1_000, low) - length;
  for (let attempt = 0; attempt < 200; attempt++) {
    const bases = Array.from({ length: ranges }, () => floor + Math.floor(Math.random() * (ceiling - floor)));
    const ports = bases.flatMap((b) => Array.from({ length }, (_, i) => b + i));
    if (new Set(ports).size !== ports.length) continue;
    if (await allFree(ports)) return bases;
  }
  throw new Error(`no ${ranges} runs of ${length} free ports found below ${ceiling + length}`);
}

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi)) return [lo!, hi!];
  } catch {
    // not Linux: the IANA dynamic range
  }
  return [49_152, 65_535];
}

async function allFree(ports: number[]): Promise<boolean> {
  const servers: ReturnType<typeof createServer>[] = [];
  try {
    for (const port of ports) {
      const s = createServer();
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => resolve());
      });
      servers.push(s);
    }
    return true;
  } catch {
    return false;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

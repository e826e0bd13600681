import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BenchResult } from "./benchRun.js";
import { latencyThroughputSvg } from "./svgChart.js";

const stamp = (iso: string) => iso.replace(/[:.]/g, "-");

/**
 * Writes a run's figures under `out`: one JSON file per load level
 * (`<app>-<txAuth>-<level>-<time>.json`), and for a sweep the whole list plus its
 * latency-versus-throughput chart (`sweep-...json`, `sweep-...svg`). Returns the paths written.
 */
export function writeBenchResults(out: string, results: readonly BenchResult[], sweep: boolean): string[] {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const r of results) {
    const file = join(dir, `${r.config.app}-${r.config.txAuth}-${r.label.replace("=", "")}-${stamp(r.at)}.json`);
    writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
    written.push(file);
  }
  if (sweep && results.length > 0) {
    const first = results[0]!;
    const base = join(dir, `sweep-${first.config.app}-${first.config.txAuth}-${stamp(first.at)}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
    const c = first.config;
    const svg = latencyThroughputSvg(
      results.map((r) => ({
        label: r.label,
        txPerSec: r.throughput.txPerSec,
        p50: r.latencyMs.p50,
        p99: r.latencyMs.p99,
      })),
      {
        title: `ordo bench: ${c.validators} validators, ${c.app}, txAuth ${c.txAuth}${c.txIndex === false ? ", no tx index" : ""}, batch ${c.batch}, ${c.payloadBytes} B payload`,
      },
    );
    writeFileSync(`${base}.svg`, svg);
    written.push(`${base}.json`, `${base}.svg`);
  }
  return written;
}

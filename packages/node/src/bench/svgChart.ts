/** One load level of a sweep: its throughput and latency percentiles. */
export interface SweepPoint {
  /** What the level was, e.g. "K=400". */
  label: string;
  txPerSec: number;
  p50: number;
  p99: number;
}

export interface ChartOptions {
  title: string;
  width: number;
  height: number;
}

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

/** Round numbers for axis ticks covering [0, max]: 1, 2 or 5 times a power of ten apart, about `count` of them. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t < max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

const fmt = (v: number) => (v >= 10_000 ? `${Math.round(v / 1000)}k` : String(Number(v.toPrecision(3))));

/**
 * A latency-versus-throughput chart as a standalone SVG document, written by hand: throughput
 * (committed tx/s) on x, latency (ms) on y, one line for p50 and one for p99 through the load
 * levels in the order given, each point labelled. Points with a non-finite value are left out.
 */
export function latencyThroughputSvg(points: readonly SweepPoint[], partial: Partial<ChartOptions> = {}): string {
  const o: ChartOptions = { title: "latency vs throughput", width: 720, height: 440, ...partial };
  const good = points.filter((p) => [p.txPerSec, p.p50, p.p99].every(Number.isFinite));
  const m = { left: 64, right: 24, top: 40, bottom: 52 };
  const w = o.width - m.left - m.right;
  const h = o.height - m.top - m.bottom;
  const xTicks = niceTicks(Math.max(0, ...good.map((p) => p.txPerSec)));
  const yTicks = niceTicks(Math.max(0, ...good.map((p) => Math.max(p.p50, p.p99))));
  const xMax = xTicks[xTicks.length - 1]!;
  const yMax = yTicks[yTicks.length - 1]!;
  const x = (v: number) => Number((m.left + (v / xMax) * w).toFixed(1));
  const y = (v: number) => Number((m.top + h - (v / yMax) * h).toFixed(1));

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}" font-family="sans-serif" font-size="12">`,
  );
  // The title element names the chart for screen readers and tooltips.
  out.push(`<title>${escapeXml(o.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${o.width}" height="${o.height}" fill="white"/>`);
  out.push(`<text x="${o.width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(o.title)}</text>`);
  for (const t of xTicks) {
    out.push(`<line x1="${x(t)}" y1="${m.top}" x2="${x(t)}" y2="${m.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${x(t)}" y="${m.top + h + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of yTicks) {
    out.push(`<line x1="${m.left}" y1="${y(t)}" x2="${m.left + w}" y2="${y(t)}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  out.push(`<line x1="${m.left}" y1="${m.top + h}" x2="${m.left + w}" y2="${m.top + h}" stroke="black"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + h}" stroke="black"/>`);
  out.push(`<text x="${m.left + w / 2}" y="${o.height - 12}" text-anchor="middle">throughput (committed tx/s)</text>`);
  out.push(
    `<text x="16" y="${m.top + h / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.top + h / 2})">latency to f + 1 receipts (ms)</text>`,
  );
  const series = [
    { name: "p50", color: "#1f77b4", get: (p: SweepPoint) => p.p50 },
    { name: "p99", color: "#d62728", get: (p: SweepPoint) => p.p99 },
  ];
  series.forEach((s, k) => {
    if (good.length > 0) {
      const pts = good.map((p) => `${x(p.txPerSec)},${y(s.get(p))}`).join(" ");
      out.push(`<polyline class="${s.name}" fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
    }
    for (const p of good) {
      out.push(`<circle cx="${x(p.txPerSec)}" cy="${y(s.get(p))}" r="3" fill="${s.color}"/>`);
      if (s.name === "p99")
        out.push(`<text x="${x(p.txPerSec) + 5}" y="${y(s.get(p)) - 6}" font-size="10">${escapeXml(p.label)}</text>`);
    }
    const ly = m.top + 8 + k * 16;
    out.push(
      `<line x1="${m.left + 12}" y1="${ly}" x2="${m.left + 32}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${m.left + 38}" y="${ly + 4}">${s.name}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

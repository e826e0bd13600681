/** Latency figures of a run, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The `p`-th percentile (0 < p <= 100) of ascending `sorted` by the nearest-rank method: the
 * smallest sample with at least p% of the samples at or below it. Always one of the samples, so
 * p50 <= p90 <= p99 <= max holds by construction; NaN for no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Collects latency samples (ms) into a growable Float64Array: no object per sample. */
export class LatencyRecorder {
  #samples = new Float64Array(1024);
  #count = 0;
  #sum = 0;

  add(ms: number): void {
    if (this.#count === this.#samples.length) {
      const bigger = new Float64Array(this.#samples.length * 2);
      bigger.set(this.#samples);
      this.#samples = bigger;
    }
    this.#samples[this.#count++] = ms;
    this.#sum += ms;
  }

  get count(): number {
    return this.#count;
  }

  /** Forgets every sample (the warm-up's, say). */
  reset(): void {
    this.#count = 0;
    this.#sum = 0;
  }

  summary(): LatencySummary {
    const sorted = this.#samples.slice(0, this.#count).sort();
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      count: this.#count,
      mean: this.#count === 0 ? Number.NaN : round(this.#sum / this.#count),
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(percentile(sorted, 100)),
    };
  }
}

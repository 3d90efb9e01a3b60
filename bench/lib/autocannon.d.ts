// The part of autocannon's API the benchmarks use (it ships no types).
declare module 'autocannon' {
  type Options = { url: string; connections?: number; pipelining?: number; duration?: number; headers?: Record<string, string> };
  type Histogram = { average: number; p50: number; p90: number; p99: number; max: number };
  /** requests.total: every request answered in the run. */
  type Requests = Histogram & { total: number };
  type Result = { requests: Requests; latency: Histogram; errors: number; timeouts: number; non2xx: number };
  export default function autocannon(opts: Options): Promise<Result>;
}

// A least-recently-used cache bounded by a total weight (e.g. characters held), not by a count: a few huge entries
// and many small ones cost what they weigh. A Map keeps insertion order, so its first key is the least recent.
export class WeightedLru<K, V> {
  private entries = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(private readonly maxWeight: number, private readonly weigh: (key: K, value: V) => number) {}

  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: K, value: V): void {
    const weight = this.weigh(key, value);
    const old = this.entries.get(key);
    if (old) { this.total -= old.weight; this.entries.delete(key); }
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxWeight) break;
      this.entries.delete(k);
      this.total -= e.weight;
    }
  }

  get size(): number { return this.entries.size; }
  get weight(): number { return this.total; }
}

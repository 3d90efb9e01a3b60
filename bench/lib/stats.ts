export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Kilobytes of 1,000 bytes: the stricter reading of a "KB" budget. */
export const KB = 1000;
export const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

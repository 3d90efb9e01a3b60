import { readFileSync } from 'node:fs';
import os from 'node:os';

/** One line naming the machine, for docs/PERFORMANCE.md. */
export function machine(): string {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch { /* not Linux: os.cpus() is enough */ }
  const gib = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${os.availableParallelism()} CPU (${cpu.trim()}), ${gib} GiB memory, ${os.type()} ${os.release()}, Node ${process.version}`;
}

// A server process's CPU time and memory from /proc (Linux): what the benchmarks report.
import { readFileSync } from 'node:fs';

const ticksPerSecond = 100;  // USER_HZ on Linux (getconf CLK_TCK)

/** utime + stime of PID in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // fields from 3 (state) on
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** {rssKiB, hwmKiB}: VmRSS and VmHWM of PID. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

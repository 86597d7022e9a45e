import { readFileSync } from 'node:fs';

/**
 * This process's child processes whose command line contains `marker`, read from Linux's /proc
 * (empty where there is none), e.g. the process the service starts to read an .xls.
 */
export function childProcessesWith(marker: string): number[] {
  let pids: number[];
  try {
    pids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      // It ended between the listing and the read.
      return false;
    }
  });
}

/** The peak resident memory (VmHWM) of a process so far, in MiB, or 0 once it has ended. */
export function peakRssMbOf(pid: number): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? Number(hwm[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

// Which process wrote a temp file or holds a lock: its pid, and where the system says so, its start time, so that a
// pid reused by another process (in containers especially) is not taken for the writer that died. Linux reports a
// process's start time in /proc/<pid>/stat (field 22, clock ticks since boot); elsewhere only the pid is known.
import { readFileSync } from 'node:fs';

/** The start time of a process (clock ticks since boot), or null where the system does not say. */
export function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19]; // field 22 of the whole line
    return start !== undefined && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

/** This process's identity: its pid and start time ('0' where unknown). */
export const SELF = { pid: process.pid, start: startTimeOf(process.pid) ?? '0' };

/** Whether a process with this pid exists (EPERM: it does, but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false; // 0 and negatives address process groups
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that wrote (pid, start) still runs: alive, and with that start time where both are known. */
export function writerAlive(pid: number, start: string): boolean {
  if (!processAlive(pid)) return false;
  if (start === '0') return true;
  const now = startTimeOf(pid);
  return now === null || now === start;
}

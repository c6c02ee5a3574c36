import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** The pid of the local MariaDB/MySQL server, when it runs on this machine and Linux shows it. */
export function findDatabaseServerPid(): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (name === 'mariadbd' || name === 'mysqld') return Number(entry);
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    // Not Linux.
  }
  return null;
}

/** CPU seconds (user + system) a process has used so far, or null when unreadable. */
export function processCpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU time of other processes, from Linux /proc (user + system ticks), for benches that must count the
 * work done outside their own process: PostgreSQL's postmaster and backends, worker child processes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Ticks per process, each tagged with the group it was counted in. */
export type CpuSnapshot<Group extends string> = Map<number, { group: Group; ticks: number }>;

/** Linux's USER_HZ: /proc/<pid>/stat reports utime and stime in these units. */
const ticksPerSecond = 100;

/**
 * Ticks used so far by every live process that `classify` puts in a group (it gets the pid and parent
 * pid; undefined leaves the process out).
 */
export function cpuSnapshot<Group extends string>(classify: (pid: number, parentPid: number) => Group | undefined): CpuSnapshot<Group> {
  const snapshot: CpuSnapshot<Group> = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may itself hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const group = classify(pid, Number(fields[1]));
      if (group !== undefined) snapshot.set(pid, { group, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while we looked.
    }
  }
  return snapshot;
}

/** CPU seconds per group between two snapshots (processes that ended in between are not counted). */
export function cpuSecondsBetween<Group extends string>(before: CpuSnapshot<Group>, after: CpuSnapshot<Group>, groups: readonly Group[]): Record<Group, number> {
  const seconds = Object.fromEntries(groups.map((group) => [group, 0])) as Record<Group, number>;
  for (const [pid, { group, ticks }] of after) seconds[group] += (ticks - (before.get(pid)?.ticks ?? 0)) / ticksPerSecond;
  return seconds;
}

/** The postmaster's pid of a PostgreSQL data directory (the first line of postmaster.pid). */
export function postmasterPid(dataDirectory: string): number {
  return Number(readFileSync(path.join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** Classifier for a PostgreSQL server: the postmaster and its children (backends, background workers). */
export function isPostgres(postmaster: number): (pid: number, parentPid: number) => 'database' | undefined {
  return (pid, parentPid) => (pid === postmaster || parentPid === postmaster ? 'database' : undefined);
}

/**
 * Who is running, as the build lock needs to know it: which machine (host
 * name, boot id, pid namespace) and which process (pid and start time).
 *
 * A pid alone names nothing for long: pids are reused, a killed process can
 * linger as a zombie that `kill(pid, 0)` still reports alive, and a cache
 * restored on another runner carries pids of a machine that is gone. On
 * Linux, /proc tells a process's state (field 3 of /proc/<pid>/stat, `Z` for
 * a zombie) and its start time (field 22, clock ticks since boot), which
 * together with the boot id name one process on one boot of one machine.
 * Elsewhere only `kill(pid, 0)` is available.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  host: string;
  /** /proc/sys/kernel/random/boot_id: changes on every boot (null where there is no /proc). */
  bootId: string | null;
  /** The pid namespace (containers sharing a disk see different pids): null where unknown. */
  pidNamespace: string | null;
}

/**
 * This machine. `FEED_DIGEST_TEST_MACHINE` (tests only) makes the process
 * pose as another machine named so, as each hosted CI run is a new one.
 */
export function thisMachine(): Machine {
  const posing = process.env.FEED_DIGEST_TEST_MACHINE;
  if (posing) return { host: posing, bootId: `test-${posing}`, pidNamespace: pidNamespace() };
  return { host: os.hostname(), bootId: readText('/proc/sys/kernel/random/boot_id'), pidNamespace: pidNamespace() };
}

export function sameMachine(a: Machine, b: Machine): boolean {
  return a.host === b.host && a.bootId === b.bootId && a.pidNamespace === b.pidNamespace;
}

export type ProcessProbe =
  | { kind: 'running'; startTime: string | null }
  | { kind: 'zombie' }
  | { kind: 'gone' }
  /** Exists, but cannot be inspected further (no /proc, or another user's: kill says EPERM). */
  | { kind: 'exists' };

/** What became of a pid on this machine. */
export function probeProcess(pid: number): ProcessProbe {
  const stat = readStat(pid);
  if (stat) return stat.state === 'Z' || stat.state === 'X' ? { kind: 'zombie' } : { kind: 'running', startTime: stat.startTime };
  try {
    process.kill(pid, 0);
    // /proc is readable on Linux even for other users' processes: without it, kill is all there is.
    return { kind: 'exists' };
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? { kind: 'exists' } : { kind: 'gone' };
  }
}

/** This process's start time in clock ticks since boot (null where there is no /proc). */
export function ownStartTime(): string | null {
  return readStat(process.pid)?.startTime ?? null;
}

function readStat(pid: number): { state: string; startTime: string } | null {
  const text = readText(`/proc/${pid}/stat`);
  if (!text) return null;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { state, startTime } : null;
}

function pidNamespace(): string | null {
  try {
    return os.platform() === 'linux' ? readlinkSync('/proc/self/ns/pid') : null;
  } catch {
    return null;
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

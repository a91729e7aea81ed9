/**
 * SIGINT and SIGTERM, the way CI stops a run: GitHub Actions sends SIGINT
 * when a run is cancelled or times out, SIGTERM 7.5 s later, and kills the
 * process tree 2.5 s after that.
 *
 * The first signal aborts `signal`: the build stops taking new work, saves
 * what it has archived and exits on its own. If that takes longer than
 * `graceMs`, or a second signal comes, the process exits at once, removing
 * the cache locks it holds first (atomic writes leave a temp file at worst,
 * which the next build removes). Either way the exit code is 128 + the
 * signal's number: 130 for SIGINT, 143 for SIGTERM.
 */
import os from 'node:os';
import { releaseHeldLocksSync } from './lock.ts';

export type StopSignalName = 'SIGINT' | 'SIGTERM';

export interface StopWatch {
  /** Aborted at the first signal; its reason is the signal's name. */
  signal: AbortSignal;
  /** Stops listening (the command has finished). */
  dispose(): void;
}

export function exitCodeFor(name: StopSignalName): number {
  return 128 + os.constants.signals[name];
}

export function watchStopSignals(options: { graceMs: number; write: (line: string) => void }): StopWatch {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  const exitNow = (name: StopSignalName, why: string) => {
    options.write(`feed-digest: ${why}; exiting now (exit code ${exitCodeFor(name)})`);
    releaseHeldLocksSync();
    process.exit(exitCodeFor(name));
  };
  const onSignal = (name: StopSignalName) => {
    if (controller.signal.aborted) return exitNow(name, `${name} again`);
    controller.abort(name);
    // Not unref'd on purpose: if stopping hangs, this is what ends the process.
    timer = setTimeout(() => exitNow(name, `still stopping after ${options.graceMs / 1000} s`), options.graceMs);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer) clearTimeout(timer);
    },
  };
}

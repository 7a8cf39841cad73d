/**
 * Child processes of a bench run (servers, load generators): started with `node --import tsx`,
 * tracked, and always killed at the end, on errors and on Ctrl-C. CPU time of a process comes
 * from /proc/<pid>/stat (utime + stime, all threads).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

const live = new Set<ChildProcess>();

/** Kill every child still running (SIGTERM, then SIGKILL after a grace period). */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child, graceMs)));
}

export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  live.delete(child);
}

/** Last resort (process 'exit' handler): synchronous SIGKILL of everything left. */
export function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * What a child inherits from the shell: only these. Everything govgate reads (NODE_ENV,
 * MONGODB_URI, RATE_LIMIT_*, …) comes from the bench, never from the developer's environment.
 */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];

export interface SpawnOptions {
  readonly env: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  readonly args?: readonly string[];
  /** The child's stdout: the bench's (default) or a pipe to read. */
  readonly stdout?: 'inherit' | 'pipe';
}

/** `node [nodeArgs] --import tsx <bench-relative entry> [args]` with an IPC channel. */
export function spawnNode(entry: string, options: SpawnOptions): ChildProcess {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', fileURLToPath(new URL(`../${entry}`, import.meta.url)), ...(options.args ?? [])], {
    env: { ...env, ...options.env },
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** The next IPC message of `type`; rejects if the child exits first or the time runs out. */
export function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type'], timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type) {
        done();
        resolve(message as T);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      done();
      reject(new Error(`${what} exited (${signal ?? `code ${String(code)}`}) before sending "${type}"`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what} sent no "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of a process (all its threads) in ms, or null where /proc is missing. */
export function cpuTimeMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

/** Busy (non-idle) CPU time of the whole machine in ms, from /proc/stat, or null. */
export function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...values] = line.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = values.map(Number);
    return ((user + nice + system + irq + softirq + steal) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

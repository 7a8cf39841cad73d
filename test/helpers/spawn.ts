import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_USERS } from '../../src/db/seed-demo.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Spawned {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout match of the pattern, rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited(timeoutMs?: number): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  /** Lead a process group of its own (as a shell's foreground job does), so `-pid` signals the whole group, as Ctrl-C does. Default false. */
  detached?: boolean;
}

/** Runs a TypeScript entry point of this repo with tsx, as `npm run token` does. */
export function spawnTs(entry: string, args: string[], env: NodeJS.ProcessEnv, options: SpawnOptions = {}): Spawned {
  return spawnNode(['--import', 'tsx', entry, ...args], env, options);
}

/** Runs node with these arguments in the repository root, collecting its output. */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv, options: SpawnOptions = {}): Spawned {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = pattern.exec(out);
          if (match) {
            cleanup();
            resolve(match);
          }
          return Boolean(match);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const onExit = (code: number | null): void => {
          if (check()) return;
          cleanup();
          reject(new Error(`process exited (${code}) before ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.off('exit', onExit);
        };
        if (check()) return;
        child.stdout?.on('data', check);
        child.once('exit', onExit);
      });
    },
    exited(timeoutMs = 60_000) {
      return Promise.race([exit, new Promise<number | null>((_, reject) => setTimeout(() => reject(new Error('did not exit')), timeoutMs))]);
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
    },
  };
}

/** The environment minus anything that would point a child at the shared test database (or another audit store). */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) {
    if ((key.startsWith('AUTH_') || key === 'MONGODB_URI' || key === 'AUDIT_MONGODB_URI' || key === 'NODE_ENV') && !(key in extra)) delete env[key];
  }
  return env;
}

export interface StartedGateway {
  readonly app: Spawned;
  /** The printed GraphQL URL, e.g. http://localhost:4000/graphql. */
  readonly url: string;
  /** The URL without /graphql, for /ready, /health and the like. */
  readonly base: string;
  /** The demo token printed for `subject@tenant` (development keys only). */
  token(subject: string, tenant: string): string;
}

/**
 * `npm start` as a child process: resolves once it printed its URL and, with `tokens` (development
 * keys), every demo token. Pass `started` to have the caller's afterAll kill it whatever happens.
 */
export async function startMain(env: Record<string, string>, options: { started?: Spawned[]; tokens?: boolean } = {}): Promise<StartedGateway> {
  const app = spawnTs('src/main.ts', [], cleanEnv(env));
  options.started?.push(app);
  const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
  const tokens = new Map<string, string>();
  if (options.tokens) {
    const last = DEMO_USERS.at(-1)!;
    await app.waitFor(new RegExp(`\\(${last.subject}@${last.tenant}\\):\\n\\s+\\S+\\n`));
    for (const [, subject, tenant, token] of app.stdout().matchAll(/^\S+ \(([\w.-]+)@([\w.-]+)\):\n\s+(\S+)$/gm)) tokens.set(`${subject}@${tenant}`, token!);
  }
  return {
    app,
    url: url!,
    base: url!.replace(/\/graphql$/, ''),
    token(subject, tenant) {
      const token = tokens.get(`${subject}@${tenant}`);
      if (!token) throw new Error(`no demo token printed for ${subject}@${tenant}\nstdout:\n${app.stdout()}`);
      return token;
    },
  };
}

export interface GraphQLReply<D> {
  readonly status: number;
  /** The raw body, to check what it must not contain. */
  readonly text: string;
  readonly data?: D | null;
  readonly errors?: { message: string; extensions?: { code?: string } }[];
  readonly extensions?: { governance?: { auditId?: string; redactions?: unknown[] } };
}

/** POST one GraphQL operation over real HTTP; `D` is the shape of `data` the test expects. */
export async function postGraphQL<D = Record<string, unknown>>(url: string, body: unknown, options: { token?: string; headers?: Record<string, string> } = {}): Promise<GraphQLReply<D>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Omit<GraphQLReply<D>, 'status' | 'text'> = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Not JSON (e.g. an HTML page): the caller looks at status and text.
  }
  return { ...parsed, status: res.status, text };
}

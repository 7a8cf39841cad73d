/**
 * A real MongoDB wire-protocol server for tests and for the `npm start` fallback when no
 * MONGODB_URI is configured: mongo-java-server (in-memory backend) behind a tiny launcher in
 * test/mongo, built with Maven on first use and run with `java -jar`.
 *
 * The launcher reports server version 7.0.0 / maxWireVersion 21 (the MongoDB Node driver 7 used by
 * mongoose 9 refuses older servers), has the oplog enabled (unless `oplog: false`), builds
 * secondary indexes only with `indexed: true` (the benchmark's), prints one line
 * `GOVGATE_MONGO_READY mongodb://127.0.0.1:<port>` when listening, and exits when its stdin reaches
 * EOF, so the JVM never outlives this process, even when this one is SIGKILLed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface JavaMongoServerOptions {
  /** Directory of the Maven launcher project. Default: <repo root>/test/mongo (resolve from this file's location via import.meta.url). */
  launcherDir?: string;
  /** Port to bind; 0 picks a free one. Default 0. */
  port?: number;
  /** How long to wait for the ready line, ms. Default 120_000 (first build downloads from Maven Central). */
  startTimeoutMs?: number;
  /**
   * Secondary indexes in the memory backend (the launcher's --indexed): the stock backend ignores
   * every non-unique index and scans the collection instead. The benchmark sets it. Default false.
   */
  indexed?: boolean;
  /** Keep an oplog (change streams); false is the launcher's --no-oplog, which the benchmark sets. Default true. */
  oplog?: boolean;
}

export interface RunningMongoServer {
  readonly uri: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

const READY_PREFIX = 'GOVGATE_MONGO_READY ';
const JAR_NAME = 'govgate-mongo-launcher.jar';
const HASH_FILE = '.build-hash';
const LOCK_DIR = '.build-lock';
const DEFAULT_START_TIMEOUT_MS = 120_000;
/** Upper bound for one Maven build (a cold one downloads ~10 MB from Maven Central). */
const BUILD_TIMEOUT_MS = 600_000;
/** A build lock older than this is taken to be left over by a crashed process. */
const STALE_LOCK_MS = BUILD_TIMEOUT_MS + 60_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_LINES = 40;

/** <repo root>/test/mongo; this file sits at src/db/ (or dist/db/ once compiled). */
export const DEFAULT_LAUNCHER_DIR = fileURLToPath(new URL('../../test/mongo/', import.meta.url));

function launcherPaths(launcherDir: string): {
  dir: string;
  pom: string;
  sources: string;
  target: string;
  jar: string;
  hashFile: string;
  lockDir: string;
} {
  const dir = resolve(launcherDir);
  const target = join(dir, 'target');
  return {
    dir,
    pom: join(dir, 'pom.xml'),
    sources: join(dir, 'src'),
    target,
    jar: join(target, JAR_NAME),
    hashFile: join(target, HASH_FILE),
    lockDir: join(target, LOCK_DIR),
  };
}

function errnoCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function listFilesRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...(await listFilesRecursive(full)));
    } else if (entry.isFile()) {
      files.push(full);
    }
  }
  return files;
}

/** sha256 over pom.xml and every file under src/ (i.e. Launcher.java), by relative path. */
async function computeSourceHash(paths: ReturnType<typeof launcherPaths>): Promise<string> {
  const hash = createHash('sha256');
  const files = [paths.pom];
  if (await exists(paths.sources)) {
    files.push(...(await listFilesRecursive(paths.sources)));
  }
  const sorted = files
    .map((file) => ({ file, rel: relative(paths.dir, file).split('\\').join('/') }))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const { file, rel } of sorted) {
    const content = await readFile(file);
    hash.update(`${rel}\0${content.length}\0`);
    hash.update(content);
    hash.update('\0');
  }
  return hash.digest('hex');
}

async function isJarFresh(paths: ReturnType<typeof launcherPaths>, expectedHash: string): Promise<boolean> {
  if (!(await exists(paths.jar))) {
    return false;
  }
  try {
    const stored = (await readFile(paths.hashFile, 'utf8')).trim();
    return stored === expectedHash;
  } catch {
    return false;
  }
}

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI_ESCAPE, '');
}

interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  tail: string[];
}

/** Runs a command, keeping the last lines of its combined stdout/stderr. */
function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number; missingHint: string },
): Promise<CommandResult> {
  return new Promise<CommandResult>((resolvePromise, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, [...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      reject(new Error(`Could not run '${command}': ${String(error)}. ${options.missingHint}`));
      return;
    }
    const tail: string[] = [];
    let partial = '';
    const collect = (chunk: Buffer): void => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(stripAnsi(line));
        if (tail.length > OUTPUT_TAIL_LINES) {
          tail.shift();
        }
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      if (errnoCode(error) === 'ENOENT') {
        reject(new Error(`'${command}' was not found on PATH. ${options.missingHint}`));
      } else {
        reject(new Error(`Could not run '${command}': ${error.message}`));
      }
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (partial !== '') {
        tail.push(stripAnsi(partial));
        if (tail.length > OUTPUT_TAIL_LINES) {
          tail.shift();
        }
      }
      if (timedOut) {
        reject(
          new Error(
            `'${command} ${args.join(' ')}' did not finish within ${options.timeoutMs} ms.\n${tail.join('\n')}`,
          ),
        );
        return;
      }
      resolvePromise({ code, signal, tail });
    });
  });
}

let javaCheck: Promise<void> | undefined;

/** Fails with a clear message when no `java` (17+) is on PATH. Checked once per process. */
function assertJavaAvailable(): Promise<void> {
  javaCheck ??= runCommand('java', ['-version'], {
    cwd: process.cwd(),
    timeoutMs: 60_000,
    missingHint: 'Install a Java 17+ runtime (e.g. `apt-get install openjdk-17-jre-headless`) to run the test MongoDB server.',
  }).then((result) => {
    if (result.code !== 0) {
      throw new Error(`'java -version' failed (exit ${String(result.code)}):\n${result.tail.join('\n')}`);
    }
  });
  const check = javaCheck;
  check.catch(() => {
    // Allow a later call to re-check (e.g. after java was installed).
    if (javaCheck === check) {
      javaCheck = undefined;
    }
  });
  return check;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Cross-process build lock (a directory created atomically), so that several processes (e.g.
 * vitest workers) never run Maven in the same target/ at once.
 */
async function withBuildLock<T>(paths: ReturnType<typeof launcherPaths>, fn: () => Promise<T>): Promise<T> {
  await mkdir(paths.target, { recursive: true });
  const ownerFile = join(paths.lockDir, 'owner');
  const deadline = Date.now() + STALE_LOCK_MS + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      await mkdir(paths.lockDir);
      await writeFile(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') {
        throw error;
      }
      let stale = false;
      try {
        const owner = Number.parseInt(await readFile(ownerFile, 'utf8'), 10);
        const { mtimeMs } = await stat(paths.lockDir);
        stale = (Number.isInteger(owner) && !isProcessAlive(owner)) || Date.now() - mtimeMs > STALE_LOCK_MS;
      } catch {
        // Owner file not written yet (lock just taken) or lock just released: look again shortly.
      }
      if (stale) {
        await rm(paths.lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for the launcher build lock ${paths.lockDir}`);
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(paths.lockDir, { recursive: true, force: true });
  }
}

async function buildLauncherJar(paths: ReturnType<typeof launcherPaths>): Promise<string> {
  await assertJavaAvailable();
  if (!(await exists(paths.pom))) {
    throw new Error(`No Maven launcher project at ${paths.dir} (missing pom.xml)`);
  }
  const expectedHash = await computeSourceHash(paths);
  if (await isJarFresh(paths, expectedHash)) {
    return paths.jar;
  }
  return withBuildLock(paths, async () => {
    // Another process may have built it while this one waited for the lock.
    const hash = await computeSourceHash(paths);
    if (await isJarFresh(paths, hash)) {
      return paths.jar;
    }
    await rm(paths.hashFile, { force: true });
    // Without this, maven-shade-plugin would shade the previous (already shaded) jar again.
    await rm(paths.jar, { force: true });
    await rm(join(paths.target, `original-${JAR_NAME}`), { force: true });
    const args = ['-q', '-B', '-Dstyle.color=never', '-f', paths.pom, 'package', '-DskipTests'];
    const result = await runCommand('mvn', args, {
      cwd: paths.dir,
      timeoutMs: BUILD_TIMEOUT_MS,
      missingHint: 'Install Apache Maven 3.8+ (e.g. `apt-get install maven`) to build the test MongoDB server.',
    });
    if (result.code !== 0) {
      const status = result.signal !== null ? `signal ${result.signal}` : `exit code ${String(result.code)}`;
      throw new Error(
        `Building the MongoDB launcher failed (mvn ${args.join(' ')}: ${status}). Last lines of output:\n` +
          result.tail.join('\n'),
      );
    }
    if (!(await exists(paths.jar))) {
      throw new Error(`Maven finished but ${paths.jar} was not produced. Last lines of output:\n${result.tail.join('\n')}`);
    }
    await writeFile(paths.hashFile, `${hash}\n`);
    return paths.jar;
  });
}

const builds = new Map<string, Promise<string>>();

/**
 * Returns the path of the launcher fat jar, building it with Maven only if it is missing or stale
 * (its sources' sha256 is kept in target/.build-hash). Concurrent callers in one process share one
 * build; concurrent processes are serialised by a lock directory in target/.
 */
export async function ensureLauncherJar(launcherDir: string = DEFAULT_LAUNCHER_DIR): Promise<string> {
  const paths = launcherPaths(launcherDir);
  const pending = builds.get(paths.dir);
  if (pending !== undefined) {
    return pending;
  }
  const build = buildLauncherJar(paths).finally(() => {
    builds.delete(paths.dir);
  });
  builds.set(paths.dir, build);
  return build;
}

/** Children still running; killed when this process exits so that no JVM is orphaned. */
const liveChildren = new Set<ChildProcess>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) {
    return;
  }
  exitHandlerInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

interface Unrefable {
  unref(): void;
}
interface Refable {
  ref(): void;
}

function hasUnref(value: unknown): value is Unrefable {
  return typeof value === 'object' && value !== null && 'unref' in value && typeof value.unref === 'function';
}
function hasRef(value: unknown): value is Refable {
  return typeof value === 'object' && value !== null && 'ref' in value && typeof value.ref === 'function';
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) {
    return Promise.resolve(true);
  }
  return new Promise<boolean>((resolvePromise) => {
    const onExit = (): void => {
      clearTimeout(timer);
      resolvePromise(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolvePromise(false);
    }, timeoutMs);
    child.once('exit', onExit);
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (hasExited(child)) {
    liveChildren.delete(child);
    return;
  }
  // Keep this process alive until the child is gone.
  if (hasRef(child)) {
    child.ref();
  }
  child.stdin?.end();
  child.kill('SIGTERM');
  if (!(await waitForExit(child, STOP_GRACE_MS))) {
    child.kill('SIGKILL');
    await waitForExit(child, STOP_GRACE_MS);
  }
  liveChildren.delete(child);
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `signal ${signal}` : `exit code ${String(code)}`;
}

/**
 * Starts a mongo-java-server instance (building the launcher first if needed) and resolves once it
 * accepts connections. The child is unref'd: it does not keep this process alive, and it ends when
 * this process ends (stdin EOF, plus an 'exit' handler). Call stop() to end it earlier.
 */
export async function startJavaMongoServer(options: JavaMongoServerOptions = {}): Promise<RunningMongoServer> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`Invalid port ${String(port)}: expected an integer between 0 and 65535`);
  }
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const jar = await ensureLauncherJar(options.launcherDir ?? DEFAULT_LAUNCHER_DIR);

  installExitHandler();
  const flags = [...(options.indexed ? ['--indexed'] : []), ...(options.oplog === false ? ['--no-oplog'] : [])];
  const child = spawn('java', ['-jar', jar, '--host', '127.0.0.1', '--port', String(port), ...flags], {
    cwd: dirname(jar),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  liveChildren.add(child);
  child.once('exit', () => {
    liveChildren.delete(child);
  });
  // Writing to a dead child's stdin must not crash this process.
  child.stdin?.on('error', () => undefined);

  const uri = await new Promise<string>((resolvePromise, reject) => {
    const stdout = child.stdout;
    if (stdout === null) {
      reject(new Error('java child has no stdout pipe'));
      return;
    }
    const lines = createInterface({ input: stdout, crlfDelay: Infinity });
    let settled = false;
    const settle = (error: Error | undefined, value?: string): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error !== undefined) {
        lines.close();
        void terminate(child);
        reject(error);
      } else if (value !== undefined) {
        resolvePromise(value);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      settle(
        new Error(
          `mongo-java-server exited before it was ready (${describeExit(code, signal)}); ` +
            `see its stderr above${port !== 0 ? ` (is port ${port} already in use?)` : ''}`,
        ),
      );
    };
    const onError = (error: Error): void => {
      settle(
        errnoCode(error) === 'ENOENT'
          ? new Error("'java' was not found on PATH. Install a Java 17+ runtime to run the test MongoDB server.")
          : new Error(`Could not start mongo-java-server: ${error.message}`),
      );
    };
    const timer = setTimeout(() => {
      settle(new Error(`mongo-java-server did not report ready within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    child.once('exit', onExit);
    child.once('error', onError);
    lines.on('line', (line) => {
      if (settled) {
        // Anything after the ready line is unexpected; pass it on rather than lose it.
        process.stderr.write(`[mongo-java-server] ${line}\n`);
        return;
      }
      if (line.startsWith(READY_PREFIX)) {
        settle(undefined, line.slice(READY_PREFIX.length).trim());
      } else {
        process.stderr.write(`[mongo-java-server] ${line}\n`);
      }
    });
  });

  const match = /:(\d+)\/?$/.exec(uri);
  const boundPort = match?.[1] !== undefined ? Number.parseInt(match[1], 10) : Number.NaN;
  if (!Number.isInteger(boundPort)) {
    await terminate(child);
    throw new Error(`mongo-java-server reported an unexpected address: ${uri}`);
  }
  const pid = child.pid;
  if (pid === undefined) {
    await terminate(child);
    throw new Error('mongo-java-server started without a pid');
  }

  // Do not keep the event loop alive just for the server: it dies with this process anyway.
  child.unref();
  for (const stream of [child.stdin, child.stdout]) {
    if (hasUnref(stream)) {
      stream.unref();
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    uri,
    port: boundPort,
    pid,
    stop(): Promise<void> {
      stopping ??= terminate(child);
      return stopping;
    },
  };
}

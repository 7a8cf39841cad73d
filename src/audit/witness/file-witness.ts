import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Witness, WitnessEntry, WitnessView } from './witness.js';

const key = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 40);

async function replace(file: string, content: string): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, file);
}

/** A chain's heads file is appended one line per write and compacted to its newest line past this size. */
const COMPACT_AT_BYTES = 1 << 20;

/** The newest complete line of a heads file (a torn last line from a crash is skipped). */
const newestLine = (text: string): string => {
  const lines = text.split('\n');
  // Every written line ends with '\n': the last element is '' or a torn line.
  return lines.length >= 2 ? lines[lines.length - 2]! : '';
};

async function readAll(dir: string, suffix: string, pick: (text: string) => string = (t) => t.trim()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = names.filter((n) => n.endsWith(suffix));
  return (await Promise.all(files.map(async (n) => pick(await readFile(join(dir, n), 'utf8'))))).filter(Boolean);
}

/**
 * The witness as a directory, one folder per tenant (named by a hash of the tenant):
 * `chains/<chain>.heads` the heads of each chain, newest last (one appended line per write — a
 * single small write, cheap enough to wait for before every acknowledgement — compacted to the
 * newest line now and then), `verified-<instance>.jws`
 * each instance's latest verified tenant head, `log.jsonl` the append-only witness log. Several
 * instances may share the directory: each writes only its own files, the log is appended.
 */
export function createFileWitness(dir: string, instanceId: string): Witness & { readonly dir: string; ready(): Promise<void>; close(): Promise<void> } {
  const tenantDir = (tenant: string) => join(dir, key(tenant));
  const ensured = new Map<string, Promise<void>>();
  const ensure = (tenant: string): Promise<void> => {
    let done = ensured.get(tenant);
    if (!done) {
      done = mkdir(join(tenantDir(tenant), 'chains'), { recursive: true, mode: 0o700 }).then(() => undefined);
      ensured.set(tenant, done);
      done.catch(() => ensured.delete(tenant));
    }
    return done;
  };
  // Per chain: the write in flight and the newest head waiting behind it.
  const pending = new Map<string, { running: Promise<void>; next: { tenant: string; jws: string } | null }>();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.then(() => inFlight.delete(p), () => inFlight.delete(p));
    return p;
  };

  const handles = new Map<string, { handle: FileHandle; bytes: number }>();
  const writeLatest = async (tenant: string, chainId: string, jws: string): Promise<void> => {
    await ensure(tenant);
    const file = join(tenantDir(tenant), 'chains', `${key(chainId)}.heads`);
    let open_ = handles.get(chainId);
    if (!open_) {
      const handle = await open(file, 'a+', 0o600);
      const { size } = await handle.stat();
      // A line torn by an earlier crash is closed first, so the next head starts a line of its own.
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await handle.appendFile('\n');
      }
      open_ = { handle, bytes: size };
      handles.set(chainId, open_);
    }
    const line = `${jws}\n`;
    await open_.handle.appendFile(line);
    open_.bytes += line.length;
    if (open_.bytes > COMPACT_AT_BYTES) {
      // Only the newest head matters to verification: start the file again with it.
      await open_.handle.close();
      handles.delete(chainId);
      await replace(file, line);
    }
  };

  return {
    dir,
    async ready() {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await replace(join(dir, '.writable'), instanceId);
    },
    latest(tenant, chainId, jws) {
      const slot = pending.get(chainId);
      if (slot) {
        slot.next = { tenant, jws };
        return slot.running;
      }
      const entry: { running: Promise<void>; next: { tenant: string; jws: string } | null } = { running: Promise.resolve(), next: null };
      const run = async (first: { tenant: string; jws: string }): Promise<void> => {
        let job: { tenant: string; jws: string } | null = first;
        try {
          // Heads that arrive while a write is in flight coalesce: the next write carries the newest.
          while (job) {
            entry.next = null;
            await writeLatest(job.tenant, chainId, job.jws);
            job = entry.next;
          }
        } finally {
          pending.delete(chainId);
        }
      };
      pending.set(chainId, entry);
      entry.running = track(run({ tenant, jws }));
      return entry.running;
    },
    append(entry: WitnessEntry) {
      return track(ensure(entry.tenant).then(() => appendFile(join(tenantDir(entry.tenant), 'log.jsonl'), `${JSON.stringify(entry)}\n`, { mode: 0o600 })));
    },
    verified(tenant, jws) {
      return track(ensure(tenant).then(() => replace(join(tenantDir(tenant), `verified-${key(instanceId)}.jws`), jws)));
    },
    async read(tenant): Promise<WitnessView> {
      const [chainHeads, tenantHeads] = await Promise.all([readAll(join(tenantDir(tenant), 'chains'), '.heads', newestLine), readAll(tenantDir(tenant), '.jws')]);
      return { chainHeads, tenantHeads };
    },
    async flush() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async close() {
      await this.flush();
      for (const { handle } of handles.values()) await handle.close().catch(() => undefined);
      handles.clear();
    },
  };
}

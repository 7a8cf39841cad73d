/**
 * The directory witness on its own: a chain's newest head wins however many writes coalesce, the
 * heads file stays bounded, and a line torn by a crash mid-write is never taken for a head.
 */
import { appendFile, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileWitness } from '../../src/audit/witness/file-witness.js';

describe('the directory witness', () => {
  it('keeps the newest head of a chain, compacts the file, and skips a torn last line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-file-witness-'));
    const witness = createFileWitness(dir, 'instance-1');
    await witness.ready();
    const head = (i: number) => `head-${String(i).padStart(6, '0')}.${'x'.repeat(400)}`;
    // Concurrent updates coalesce; sequential ones each land.
    await Promise.all(Array.from({ length: 50 }, (_, i) => witness.latest('acme', 'chain-a', head(i))));
    expect((await witness.read('acme')).chainHeads).toEqual([head(49)]);
    for (let i = 50; i < 3000; i += 1) await witness.latest('acme', 'chain-a', head(i));
    expect((await witness.read('acme')).chainHeads).toEqual([head(2999)]);
    const [tenantDir] = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
    const chains = join(dir, tenantDir!.name, 'chains');
    const [file] = await readdir(chains);
    expect((await stat(join(chains, file!))).size).toBeLessThan(1.1 * (1 << 20));
    // A crash in the middle of a write leaves a line without its newline: it does not count.
    await witness.close();
    await appendFile(join(chains, file!), 'head-torn.partial');
    expect((await witness.read('acme')).chainHeads).toEqual([head(2999)]);
    // The same chain written again (a restart with a fixed instance id) starts a fresh line.
    const again = createFileWitness(dir, 'instance-1');
    await again.latest('acme', 'chain-a', head(3000));
    expect((await again.read('acme')).chainHeads).toEqual([head(3000)]);
    await again.close();
  });
});

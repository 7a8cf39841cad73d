/**
 * The worked examples of the docs, run for real (test/docs/doc-examples.ts says how a block takes
 * part): requests through a gateway with real signed tokens on the test database, shell commands with
 * bash, files written where the document says, vitest modules as tests. Each output block must be
 * what its example prints now; `npm run docs:examples` (GOVGATE_DOCS_UPDATE=1) writes them instead.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/spawn.js';
import { examplesOf, where, type ExampleBlock } from './doc-examples.js';
import { createExampleContext, type ExampleContext } from './example-context.js';
import { normalizeOutput } from './example-output.js';
import { runRequest, runShell, writeExampleFile } from './example-runners.js';
import { readMarkdown, repositoryMarkdown } from './markdown.js';

const UPDATE = process.env.GOVGATE_DOCS_UPDATE === '1';
const documents = repositoryMarkdown().map(readMarkdown);
const withExamples = documents.map((doc) => ({ doc, blocks: examplesOf(doc) })).filter((d) => d.blocks.length);

/** The guides that must each carry an example a test runs. */
const GUIDES = ['docs/contract.md', 'docs/adding-a-field.md', 'docs/writing-a-pack.md', 'docs/operating.md'];

it('every guide has a worked example that runs, and every output block follows something that runs', () => {
  const names = withExamples.map((d) => d.doc.name);
  for (const guide of GUIDES) expect(names, guide).toContain(guide);
  for (const { blocks } of withExamples) {
    blocks.forEach((block, i) => {
      if (block.kind !== 'output') return;
      const before = blocks.slice(0, i).reverse().find((b) => b.id === block.id && b.kind !== 'file');
      expect(before && (before.kind === 'http' || before.kind === 'shell'), `${where(block)} is the output of a request or shell block of its example`).toBe(true);
    });
  }
});

for (const { doc, blocks } of withExamples) {
  const runnable = blocks.filter((b) => b.kind !== 'vitest');
  if (runnable.length) {
    describe(`${doc.name} examples`, { timeout: 120_000 }, () => {
      let context: ExampleContext;
      /** Output blocks to rewrite (update mode): [block, new text]. */
      const rewrites: [ExampleBlock, string][] = [];
      beforeAll(async () => {
        context = await createExampleContext(`docs-${basename(doc.name, '.md')}`);
      });
      afterAll(async () => {
        await context?.close();
        if (UPDATE && rewrites.length) await rewrite(doc.file, rewrites);
      });

      const ids = [...new Set(runnable.map((b) => b.id))];
      for (const id of ids) {
        it(`${id} runs and prints what the document shows`, async () => {
          let printed: string | null = null;
          for (const block of runnable.filter((b) => b.id === id)) {
            if (block.kind === 'file') await writeExampleFile(block, context);
            else if (block.kind === 'http') printed = normalizeOutput(await runRequest(block, context), context);
            else if (block.kind === 'shell') printed = normalizeOutput(await runShell(block, context).catch((e: Error) => Promise.reject(new Error(`${where(block)}: ${e.message}`))), context);
            else if (block.kind === 'output') {
              if (printed === null) throw new Error(`${where(block)}: nothing ran before this output`);
              if (UPDATE) rewrites.push([block, printed]);
              else expect(printed, `${where(block)} shows what the example prints (npm run docs:examples rewrites it)`).toBe(block.content);
              printed = null;
            }
          }
        });
      }
    });
  }

  for (const block of blocks.filter((b) => b.kind === 'vitest')) {
    // The module sits one directory below test/, like a test in test/features/, so its imports resolve as the document shows them.
    describe(`${where(block)}: the test it shows`, async () => {
      const dir = join(REPO_ROOT, 'test', '.doc-examples');
      const file = join(dir, `${basename(doc.name, '.md')}-${block.id}.ts`);
      await mkdir(dir, { recursive: true });
      await writeFile(file, block.content);
      afterAll(() => rm(file, { force: true }));
      await import(pathToFileURL(file).href);
    });
  }
}

/** Replaces the text of each output block, from the bottom up so line numbers stay right. */
async function rewrite(file: string, rewrites: readonly [ExampleBlock, string][]): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  for (const [block, text] of [...rewrites].sort((a, b) => b[0].start - a[0].start)) {
    lines.splice(block.start + 1, block.end - block.start - 2, ...text.replace(/\n$/, '').split('\n'));
  }
  await writeFile(file, lines.join('\n'));
}

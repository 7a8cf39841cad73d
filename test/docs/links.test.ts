/**
 * Every link in the repository's Markdown resolves inside the repository: a relative path to a file
 * or directory that exists and is not ignored by git, and an anchor to a heading of the target (or
 * a line of a source file). The only links that leave are explicit https links to public references
 * (allowed, never fetched). The repository stands on its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/spawn.js';
import { headings, links, readMarkdown, repositoryMarkdown, type MarkdownFile } from './markdown.js';

const documents = repositoryMarkdown().map(readMarkdown);
const byFile = new Map<string, MarkdownFile>(documents.map((d) => [d.file, d]));

function anchorsOf(file: string): Set<string> {
  const doc = byFile.get(file) ?? readMarkdown(file);
  byFile.set(file, doc);
  return new Set(headings(doc).map((h) => h.anchor));
}

/** Paths git ignores (node_modules, build output, local state): not in the repository. */
function ignored(paths: readonly string[]): Set<string> {
  if (!paths.length) return new Set();
  try {
    const out = execFileSync('git', ['check-ignore', '--stdin'], { cwd: REPO_ROOT, input: paths.join('\n'), encoding: 'utf8' });
    return new Set(out.split('\n').filter(Boolean));
  } catch (error) {
    // Exit 1: none of them is ignored.
    if ((error as { status?: number }).status === 1) return new Set();
    throw error;
  }
}

/** What is wrong with one link of `doc`, or null. */
function problem(doc: MarkdownFile, href: string): string | null {
  if (href.startsWith('https://')) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return 'leaves the repository (only https links to public references may)';
  if (href.startsWith('//') || isAbsolute(href)) return 'is absolute (use a path relative to this file)';
  const hash = href.indexOf('#');
  const path = decodeURIComponent(hash === -1 ? href : href.slice(0, hash));
  const anchor = hash === -1 ? null : decodeURIComponent(href.slice(hash + 1));
  const target = path === '' ? doc.file : resolve(dirname(doc.file), path);
  const inRepo = relative(REPO_ROOT, target);
  if (inRepo.startsWith('..') || isAbsolute(inRepo)) return 'points outside the repository';
  if (!existsSync(target)) return `names ${inRepo}, which does not exist`;
  if (anchor === null) return null;
  if (statSync(target).isDirectory()) return 'has an anchor on a directory';
  if (target.endsWith('.md')) return anchorsOf(target).has(anchor) ? null : `names the anchor #${anchor}, which is no heading of ${inRepo}`;
  return /^L\d+(-L\d+)?$/.test(anchor) ? null : `names the anchor #${anchor} in a file that is not Markdown (only #L<line> is)`;
}

describe('links in the repository\'s Markdown', () => {
  it('reads README.md, SECURITY.md and every docs/ page', () => {
    const names = documents.map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['README.md', 'SECURITY.md', 'docs/contract.md', 'docs/operating.md', 'docs/design.md']));
    expect(documents.flatMap(links).length).toBeGreaterThan(100);
  });

  it('resolve to files and headings of the repository, or are https links', () => {
    const problems: string[] = [];
    const targets = new Map<string, string[]>();
    for (const doc of documents) {
      for (const { href, line } of links(doc)) {
        const wrong = problem(doc, href);
        if (wrong) problems.push(`${doc.name}:${line}: (${href}) ${wrong}`);
        else if (!/^[a-z]+:/i.test(href) && !href.startsWith('#')) {
          const path = relative(REPO_ROOT, resolve(dirname(doc.file), decodeURIComponent(href.split('#')[0]!)));
          targets.set(path, [...(targets.get(path) ?? []), `${doc.name}:${line}`]);
        }
      }
    }
    for (const path of ignored([...targets.keys()].filter(Boolean))) problems.push(`${targets.get(path)!.join(', ')}: (${path}) is ignored by git, so not in the repository`);
    expect(problems).toEqual([]);
  });
});

describe('the link checker', () => {
  // The checker itself, on a document of its own: a checker that passes everything would pass above too.
  const doc: MarkdownFile = { ...readMarkdown(join(REPO_ROOT, 'docs/contract.md')) };
  it('refuses what leaves or does not resolve, and accepts what does', () => {
    expect(problem(doc, 'http://example.com/')).toMatch(/leaves the repository/);
    expect(problem(doc, 'mailto:someone@example.com')).toMatch(/leaves the repository/);
    expect(problem(doc, '/etc/passwd')).toMatch(/absolute/);
    expect(problem(doc, '../../outside.md')).toMatch(/outside the repository/);
    expect(problem(doc, 'no-such-page.md')).toMatch(/does not exist/);
    expect(problem(doc, '#no-such-heading')).toMatch(/no heading/);
    expect(problem(doc, 'design.md#no-such-heading')).toMatch(/no heading of docs\/design\.md/);
    expect(problem(doc, '../src/errors.ts#code')).toMatch(/not Markdown/);
    expect(problem(doc, 'https://www.rfc-editor.org/rfc/rfc9162')).toBeNull();
    expect(problem(doc, 'design.md#decision-order')).toBeNull();
    expect(problem(doc, '#reason-codes')).toBeNull();
    expect(problem(doc, '../src/errors.ts')).toBeNull();
    expect(problem(doc, '../src/errors.ts#L4')).toBeNull();
    expect(problem(doc, '../schema/operations/')).toBeNull();
    expect(ignored(['node_modules/graphql/package.json', 'src/errors.ts'])).toEqual(new Set(['node_modules/graphql/package.json']));
  });
});

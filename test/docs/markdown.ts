/**
 * The repository's Markdown read the way a renderer reads it (markdown-it, CommonMark): links,
 * heading anchors (GitHub's slugs), fenced blocks and sections. Code spans and fenced blocks are
 * never mistaken for links.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { REPO_ROOT } from '../helpers/spawn.js';

const md = new MarkdownIt({ html: true });

export interface MarkdownFile {
  /** Absolute path. */
  readonly file: string;
  /** Path from the repository root, for messages. */
  readonly name: string;
  readonly text: string;
  readonly tokens: readonly Token[];
}

/** Markdown text as if it were `file` (a test edits a document in memory). */
export const parseMarkdown = (file: string, text: string): MarkdownFile => ({ file, name: relative(REPO_ROOT, file), text, tokens: md.parse(text, {}) });

export const readMarkdown = (file: string): MarkdownFile => parseMarkdown(file, readFileSync(file, 'utf8'));

/** Directories that are not the repository's own documents. */
const NOT_DOCS = new Set(['node_modules', '.git', 'dist', 'coverage', '.govgate', 'target', 'generated']);

/** Every Markdown file of the repository (README.md, SECURITY.md, docs/**, bench/...), sorted. */
export function repositoryMarkdown(dir: string = REPO_ROOT): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !NOT_DOCS.has(entry.name) && !entry.name.startsWith('.')) found.push(...repositoryMarkdown(join(dir, entry.name)));
    else if (entry.isFile() && entry.name.endsWith('.md')) found.push(join(dir, entry.name));
  }
  return found.sort();
}

/** The rendered text of an inline token (what GitHub slugs for a heading). */
const inlineText = (inline: Token | undefined): string =>
  (inline?.children ?? []).filter((c) => c.type === 'text' || c.type === 'code_inline').map((c) => c.content).join('');

export interface Heading {
  readonly level: number;
  readonly text: string;
  readonly anchor: string;
  /** Index of its heading_open token. */
  readonly index: number;
}

export function headings(doc: MarkdownFile): Heading[] {
  const slugger = new GithubSlugger();
  const found: Heading[] = [];
  doc.tokens.forEach((token, index) => {
    if (token.type !== 'heading_open') return;
    const text = inlineText(doc.tokens[index + 1]);
    found.push({ level: Number(token.tag.slice(1)), text, anchor: slugger.slug(text), index });
  });
  return found;
}

export interface Link {
  readonly href: string;
  /** 1-based line of the block that holds it. */
  readonly line: number;
}

const HTML_HREF = /\b(?:href|src)="([^"]+)"/g;

/** Every link and image target, with the line of its block. */
export function links(doc: MarkdownFile): Link[] {
  const found: Link[] = [];
  for (const block of doc.tokens) {
    const line = (block.map?.[0] ?? 0) + 1;
    if (block.type === 'html_block') for (const m of block.content.matchAll(HTML_HREF)) found.push({ href: m[1]!, line });
    for (const token of block.children ?? []) {
      const href = token.type === 'link_open' ? token.attrGet('href') : token.type === 'image' ? token.attrGet('src') : null;
      if (href !== null) found.push({ href: String(href), line });
      if (token.type === 'html_inline') for (const m of token.content.matchAll(HTML_HREF)) found.push({ href: m[1]!, line });
    }
  }
  return found;
}

export interface FencedBlock {
  /** The info string after the fence, e.g. `http example=contract`. */
  readonly info: string;
  readonly content: string;
  /** 0-based line of the opening fence and the line after the closing one (markdown-it's map). */
  readonly start: number;
  readonly end: number;
}

export function fencedBlocks(doc: MarkdownFile): FencedBlock[] {
  return doc.tokens
    .filter((t) => t.type === 'fence' && t.map)
    .map((t) => ({ info: t.info.trim(), content: t.content, start: t.map![0], end: t.map![1] }));
}

/**
 * The tokens of the section under a heading whose text is `title` (up to the next heading of the
 * same or a higher level). Throws when the document has no such heading.
 */
export function section(doc: MarkdownFile, title: string): Token[] {
  const all = headings(doc);
  const at = all.findIndex((h) => h.text === title);
  if (at === -1) throw new Error(`${doc.name} has no heading "${title}"`);
  const heading = all[at]!;
  const next = all.slice(at + 1).find((h) => h.level <= heading.level);
  return doc.tokens.slice(heading.index, next?.index ?? doc.tokens.length);
}

/** Text of every code span in these tokens (`ROLE`, `X-Purpose`, ...). */
export const codeSpans = (tokens: readonly Token[]): string[] =>
  tokens.flatMap((t) => (t.children ?? []).filter((c) => c.type === 'code_inline').map((c) => c.content));

/** The rows of each table in these tokens: each row a list of cells, each cell its inline token. */
export function tableRows(tokens: readonly Token[]): Token[][] {
  const rows: Token[][] = [];
  let row: Token[] | null = null;
  let inBody = false;
  for (const token of tokens) {
    if (token.type === 'tbody_open') inBody = true;
    else if (token.type === 'tbody_close') inBody = false;
    else if (token.type === 'tr_open' && inBody) row = [];
    else if (token.type === 'tr_close' && row) {
      rows.push(row);
      row = null;
    } else if (token.type === 'inline' && row) row.push(token);
  }
  return rows;
}

/** The code spans of one table cell. */
export const cellCode = (cell: Token | undefined): string[] => (cell ? codeSpans([cell]) : []);

/** The plain text of one table cell. */
export const cellText = (cell: Token | undefined): string => inlineText(cell);

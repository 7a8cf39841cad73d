/**
 * Worked examples in the docs that a test runs. A fenced block takes part when its info string names
 * an example, after the language:
 *
 *   ```http example=support-read            a request, sent to a gateway of the doc's own (yoga.fetch)
 *   ```sh example=verify                    shell commands, run with bash in the repository root
 *   ```json example=northwind file=/tmp/packs/northwind.json   the block's text is written there first
 *   ```http example=support-read output     what the block before it answered (generated)
 *   ```ts example=field-test run            a vitest module, run as a test of its own
 *
 * Other attributes: `exit=N` on a shell block (the exit code it must end with, default 0);
 * `save=<path>:<file>` on a request (the JSON value at `data.x.y`, or `body`, is written to a file);
 * `env=NAME:value,...` on the request that starts the document's gateway, and `restart` to start it
 * again (same database) with new settings. In a request, `$(npm run -s token -- --sub ...)` is a
 * token signed for those claims and `$(cat /tmp/file)` the file's content.
 * Every path under `/tmp/` is moved to a fresh temporary directory per document, and moved back in
 * outputs. Outputs are never typed: `npm run docs:examples` writes them, `npm test` compares.
 */
import type { MarkdownFile } from './markdown.js';
import { fencedBlocks } from './markdown.js';

export type ExampleKind = 'http' | 'shell' | 'file' | 'output' | 'vitest';

export interface ExampleBlock {
  readonly doc: MarkdownFile;
  readonly id: string;
  readonly kind: ExampleKind;
  readonly lang: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly content: string;
  /** 0-based line of the opening fence and the line after the closing fence. */
  readonly start: number;
  readonly end: number;
}

/** `http example=a save=x:y output` → language and attributes (a bare word is `word=""`). */
function parseInfo(info: string): { lang: string; attrs: Record<string, string> } {
  const [lang = '', ...words] = info.split(/\s+/);
  const attrs: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq === -1) attrs[word] = '';
    else attrs[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return { lang, attrs };
}

function kindOf(lang: string, attrs: Record<string, string>): ExampleKind {
  if ('output' in attrs) return 'output';
  if ('file' in attrs) return 'file';
  if ('run' in attrs && (lang === 'ts' || lang === 'typescript')) return 'vitest';
  if (lang === 'http') return 'http';
  if (lang === 'sh' || lang === 'bash' || lang === 'shell') return 'shell';
  throw new Error(`a \`${lang}\` block cannot be an example (use http, sh, a file=, an output, or ts with run)`);
}

/** The example blocks of a document, in document order. */
export function examplesOf(doc: MarkdownFile): ExampleBlock[] {
  const blocks: ExampleBlock[] = [];
  for (const block of fencedBlocks(doc)) {
    const { lang, attrs } = parseInfo(block.info);
    if (attrs.example === undefined) continue;
    try {
      blocks.push({ doc, id: attrs.example, kind: kindOf(lang, attrs), lang, attrs, content: block.content, start: block.start, end: block.end });
    } catch (error) {
      throw new Error(`${doc.name}:${block.start + 1}: ${(error as Error).message}`);
    }
  }
  return blocks;
}

/** Where in the document a block is, for messages. */
export const where = (block: ExampleBlock): string => `${block.doc.name}:${block.start + 1} (example ${block.id})`;

/**
 * The console's GraphQL documents fit the gateway's schema (a field renamed or removed in the API
 * fails here, not in a compliance officer's browser), and its sources never turn strings into markup.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS } from '../../console/src/queries.js';
import { buildSchema } from '../../src/schema.js';
import { REPO_ROOT } from '../helpers/spawn.js';

describe('console documents', () => {
  const schema = buildSchema();
  for (const [name, source] of Object.entries(DOCUMENTS)) {
    it(`${name} validates against the schema`, () => {
      expect(validate(schema, parse(source)).map((e) => e.message)).toEqual([]);
    });
  }
});

describe('console sources', () => {
  it('build the page from text nodes and attributes only: no HTML strings, no eval', async () => {
    const dir = join(REPO_ROOT, 'console', 'src');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function\(|DOMParser/);
    }
  });
});

/**
 * The console's GraphQL documents fit the gateway's schema: a field renamed or removed in the API
 * fails here, not in a compliance officer's browser.
 */
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS } from '../../console/src/queries.js';
import { buildSchema } from '../../src/schema.js';

describe('console documents', () => {
  const schema = buildSchema();
  for (const [name, source] of Object.entries(DOCUMENTS)) {
    it(`${name} validates against the schema`, () => {
      expect(validate(schema, parse(source)).map((e) => e.message)).toEqual([]);
    });
  }
});

import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';

/**
 * Trusted documents (persisted operations): production clients send an id instead of a query.
 * With `only`, nothing else is executed. The file maps ids (e.g. sha256 of the text) to documents.
 */
export function useTrustedDocuments(file: string, only: boolean): Plugin {
  const documents = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>));
  return usePersistedOperations({
    getPersistedOperation: (key) => documents.get(key) ?? null,
    allowArbitraryOperations: !only,
    customErrors: {
      notFound: { message: 'unknown trusted document', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } } },
      persistedQueryOnly: { message: 'only trusted documents are accepted', extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } } },
      keyNotFound: { message: 'trusted document id missing', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } } },
    },
  });
}

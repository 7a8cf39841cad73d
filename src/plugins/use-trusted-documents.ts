import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import { readJsonFile } from '../read-json-file.js';

/**
 * Trusted documents (persisted operations): production clients send an id instead of a query.
 * With `only`, nothing else is executed. The file maps ids (e.g. sha256 of the text) to documents.
 */
export function useTrustedDocuments(file: string, only: boolean): Plugin {
  const parsed = readJsonFile('TRUSTED_DOCUMENTS_FILE', file);
  const entries = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  // Checked here, not at the first request that names a broken entry.
  if (entries.length === 0 || !entries.every(([, document]) => typeof document === 'string')) {
    throw new Error(`TRUSTED_DOCUMENTS_FILE: ${file} must be a non-empty JSON object mapping ids to documents`);
  }
  const documents = new Map(entries as [string, string][]);
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

import { builder } from '../../builder.js';
import { EXPORT_KEYS } from './export-sources.js';
import { EXPORT_ACCESS_LOG_SIZE, EXPORT_PAGE_SIZE, exportMyData, type DataExport, type ExportContinuation } from './export-data.js';

const ExportContinuationRef = builder.objectRef<ExportContinuation>('DataExportContinuation').implement({
  description: 'A collection the export cut at its page size: call `exportMyData(collection:, after:)` with these for its next page.',
  fields: (t) => ({
    collection: t.exposeString('collection'),
    after: t.exposeString('after'),
  }),
});

// Not a governed type: everything in it is the caller's own data, going to the caller (Art. 15/20),
// read only by exportMyData's own (tenant, subject) queries. The request is audited as a mutation
// (INTENT before, outcome after) with the access `Mutation.exportMyData`.
const DataExportRef = builder.objectRef<DataExport>('DataExport').implement({
  description: 'Art. 15 / 20: every record the platform holds about the caller, as JSON.',
  fields: (t) => ({
    generatedAt: t.expose('generatedAt', { type: 'DateTime' }),
    format: t.exposeString('format', { description: 'Always `json`.' }),
    data: t.expose('data', {
      type: 'JSON',
      description:
        `\`{ tenant, subject, ${EXPORT_KEYS.join(', ')} }\`: \`profile\` is the account (or null), the others lists oldest first ` +
        `(\`accessLog\` newest first, as myAccessLog), ids as \`id\`, dates ISO 8601, content decrypted. Never seals, keys, MACs or tokens.`,
    }),
    complete: t.exposeBoolean('complete', { description: 'False when some collection was cut at its page size: see `next`.' }),
    next: t.expose('next', { type: [ExportContinuationRef] }),
  }),
});

builder.mutationFields((t) => ({
  exportMyData: t.field({
    type: DataExportRef,
    description:
      `Art. 15 / 20: export every record about the caller (any role; the caller needs an account), in the caller's tenant only. ` +
      `At most \`first\` (default and most ${EXPORT_PAGE_SIZE}) records per collection and ${EXPORT_ACCESS_LOG_SIZE} access-log entries; ` +
      'a collection cut there is named in `next`, and `collection` with `after` exports only its next page.',
    args: {
      collection: t.arg.string({ description: `One of ${EXPORT_KEYS.join(', ')}: export only this collection.` }),
      after: t.arg.string({ description: 'A `next.after` cursor of that collection.' }),
      first: t.arg.int({ description: `Records per collection (1 to ${EXPORT_PAGE_SIZE}).` }),
    },
    resolve: (_root, args, ctx) => exportMyData(ctx, args),
  }),
}));

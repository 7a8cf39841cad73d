import { builder } from '../../builder.js';
import { recordDsr } from './dsr-log.js';
import { EXPORT_KEYS } from './export-sources.js';
import { EXPORT_ACCESS_LOG_SIZE, EXPORT_PAGE_SIZE, exportedData, exportMyData, type DataExport, type ExportContinuation } from './export-data.js';

/** Paging facts of the export: no personal data. */
const PAGING = { category: 'system.operations', purposes: ['essential'], strategy: 'null' } as const;

const ExportContinuationRef = builder.objectRef<ExportContinuation>('DataExportContinuation').implement({
  description: 'A collection the export cut at its page size: call `exportMyData(collection:, after:)` with these for its next page.',
  governance: { subjectOf: () => null, tenantOf: (c) => c.tenant },
  fields: (t) => ({
    collection: t.exposeString('collection', { governance: PAGING }),
    after: t.exposeString('after', { governance: PAGING }),
  }),
});

// `data` is every record about the subject, decided as one value of the subject's (category `user`):
// their own data goes to them under any role the pack grants it (the baseline's `user` role), for
// an essential purpose. It is decrypted only once that decision allowed it. The request is audited
// as a mutation (INTENT before, outcome after) with the access `Mutation.exportMyData`.
const DataExportRef = builder.objectRef<DataExport>('DataExport').implement({
  description: 'Art. 15 / 20: every record the platform holds about the caller, as JSON.',
  governance: { subjectOf: (e) => e.subject, tenantOf: (e) => e.tenant },
  fields: (t) => ({
    generatedAt: t.expose('generatedAt', { type: 'DateTime', governance: PAGING }),
    format: t.exposeString('format', { description: 'Always `json`.', governance: PAGING }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      governance: { category: 'user', purposes: ['essential'], strategy: 'null' },
      // Art. 12: every page the subject receives is on record for the compliance officer, with its
      // deadline — once it is released, not when merely asked for.
      resolve: async (e, _args, ctx) => {
        const data = await exportedData(ctx, e);
        await recordDsr(ctx, 'EXPORT', { tenant: e.tenant, subject: e.subject, auditId: ctx.governance.intentId });
        return data;
      },
      description:
        `\`{ tenant, subject, ${EXPORT_KEYS.join(', ')} }\`: \`profile\` is the account (or null), the others lists oldest first ` +
        `(\`accessLog\` newest first, as myAccessLog), ids as \`id\`, dates ISO 8601, content decrypted. Never seals, keys, MACs or tokens.`,
    }),
    complete: t.exposeBoolean('complete', { description: 'False when some collection was cut at its page size: see `next`.', governance: PAGING }),
    next: t.expose('next', { type: [ExportContinuationRef], governance: PAGING }),
  }),
});

builder.mutationFields((t) => ({
  exportMyData: t.field({
    type: DataExportRef,
    description:
      `Art. 15 / 20: export every record about the caller, in the caller's tenant only (the caller needs an account, and a role the pack grants its own data: the baseline's \`user\`). ` +
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

import { builder } from '../../builder.js';
import type { GatewayContext } from '../../context.js';
import { CollectionCountRef, counts, KeptRecordsRef } from './erasure.schema.js';
import type { KeptRecords } from './erasure.js';
import { EXPORT_PAGE_SIZE, type ExportContinuation } from './export-records.js';
import { deleteTenantData } from './tenant-deletion.js';
import { exportTenantData, TENANT_EXPORT_KEYS, tenantExportData, type TenantExport } from './tenant-export.js';

export const TENANT_DELETION_RECEIPT_TYP = 'govgate-tenant-deletion-receipt+jws';

/** Facts of the operation (counts, dates, cursors): no personal data. */
const FACTS = { category: 'system.operations', purposes: ['essential'], strategy: 'null' } as const;
const NO_SUBJECT = (): null => null;

const TenantExportContinuationRef = builder.objectRef<ExportContinuation>('TenantExportContinuation').implement({
  description: 'A collection the tenant export cut at its page size: call `exportTenantData(collection:, after:)` with these for its next page.',
  governance: { subjectOf: NO_SUBJECT, tenantOf: (c) => c.tenant },
  fields: (t) => ({
    collection: t.exposeString('collection', { governance: FACTS }),
    after: t.exposeString('after', { governance: FACTS }),
  }),
});

// `data` holds every subject's records, decided as one value of the tenant's (no subject): only the
// pack's end-of-contract grant, scoped to this one field (TENANT_EXPORT_COORDINATE), releases it.
const TenantExportRef = builder.objectRef<TenantExport>('TenantExport').implement({
  description: '001 §5.3(h) "return": every record the platform holds in the caller\'s tenant, as JSON, page by page.',
  governance: { subjectOf: NO_SUBJECT, tenantOf: (e) => e.tenant },
  fields: (t) => ({
    generatedAt: t.expose('generatedAt', { type: 'DateTime', governance: FACTS }),
    format: t.exposeString('format', { description: 'Always `json`.', governance: FACTS }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      governance: { category: 'user', purposes: ['essential'], strategy: 'null' },
      resolve: (e, _args, ctx) => tenantExportData(ctx, e),
      description:
        `\`{ tenant, ${TENANT_EXPORT_KEYS.join(', ')} }\`: per collection a list of records oldest first, each naming its \`subject\`, ids as \`id\`, ` +
        'dates ISO 8601, content decrypted with its owner\'s key. Never seals, keys, MACs or tokens.',
    }),
    withheld: t.field({
      type: [CollectionCountRef],
      description: 'Records of this page left out, per collection: their subject\'s erasure is pending, or their account record is missing or does not verify.',
      resolve: (e) => counts(e.withheld),
      governance: FACTS,
    }),
    complete: t.exposeBoolean('complete', { description: 'False when some collection was cut at its page size: see `next`.', governance: FACTS }),
    next: t.expose('next', { type: [TenantExportContinuationRef], governance: FACTS }),
  }),
});

interface TenantDeletionReceipt {
  tenant: string;
  requestedAt: Date;
  completedAt: Date;
  auditId: string | null;
  keysDestroyed: number;
  deleted: { collection: string; count: number }[];
  anonymised: { collection: string; count: number }[];
  kept: KeptRecords[];
  receipt: string;
}

const TenantDeletionReceiptRef = builder.objectRef<TenantDeletionReceipt>('TenantDeletionReceipt').implement({
  description: 'What deleteTenantData did, with a receipt signed by the audit signing key.',
  governance: { subjectOf: NO_SUBJECT, tenantOf: (r) => r.tenant },
  fields: (t) => ({
    tenant: t.exposeID('tenant', { governance: FACTS }),
    requestedAt: t.expose('requestedAt', { type: 'DateTime', governance: FACTS }),
    completedAt: t.expose('completedAt', { type: 'DateTime', governance: FACTS }),
    auditId: t.exposeID('auditId', { nullable: true, description: 'The INTENT event of this request, written before anything was deleted.', governance: FACTS }),
    keysDestroyed: t.exposeInt('keysDestroyed', { description: 'Data keys destroyed: the tenant\'s ciphertexts no longer decrypt through the gateway (a database backup from before holds the wrapped keys).', governance: FACTS }),
    deleted: t.field({ type: [CollectionCountRef], resolve: (r) => r.deleted, governance: FACTS }),
    anonymised: t.field({ type: [CollectionCountRef], resolve: (r) => r.anonymised, governance: FACTS }),
    kept: t.field({ type: [KeptRecordsRef], resolve: (r) => r.kept, governance: FACTS }),
    receipt: t.exposeString('receipt', { description: `Compact JWS (typ ${TENANT_DELETION_RECEIPT_TYP}) signed with the audit signing key; verify it against /.well-known/jwks.json.`, governance: FACTS }),
  }),
});

async function signed(ctx: GatewayContext, receipt: Omit<TenantDeletionReceipt, 'receipt'>): Promise<TenantDeletionReceipt> {
  const payload = {
    tenant: receipt.tenant,
    pack: { name: ctx.pack.name, version: ctx.pack.version },
    requestedAt: receipt.requestedAt.toISOString(),
    completedAt: receipt.completedAt.toISOString(),
    auditId: receipt.auditId,
    keysDestroyed: receipt.keysDestroyed,
    deleted: Object.fromEntries(receipt.deleted.map((c) => [c.collection, c.count])),
    anonymised: Object.fromEntries(receipt.anonymised.map((c) => [c.collection, c.count])),
    kept: receipt.kept,
  };
  return { ...receipt, receipt: await ctx.audit.signer.sign(payload, TENANT_DELETION_RECEIPT_TYP) };
}

builder.mutationFields((t) => ({
  exportTenantData: t.field({
    type: TenantExportRef,
    description:
      '001 §5.3(h), end of contract, "return": every record of the caller\'s tenant, for the roles the pack\'s `endOfContract` names (others: FORBIDDEN). ' +
      `At most \`first\` (default and most ${EXPORT_PAGE_SIZE}) records per collection; a collection cut there is named in \`next\`, and \`collection\` with \`after\` exports only its next page. Audited like every mutation (INTENT before, outcome after).`,
    args: {
      collection: t.arg.string({ description: `One of ${TENANT_EXPORT_KEYS.join(', ')}: export only this collection.` }),
      after: t.arg.string({ description: 'A `next.after` cursor of that collection.' }),
      first: t.arg.int({ description: `Records per collection (1 to ${EXPORT_PAGE_SIZE}).` }),
    },
    resolve: (_root, args, ctx) => exportTenantData(ctx, args),
  }),
  deleteTenantData: t.field({
    type: TenantDeletionReceiptRef,
    description:
      '001 §5.3(h), end of contract, "delete": deletes every record of the caller\'s tenant (the pack\'s legal holds kept, anonymised), destroys every data key of the tenant and returns a signed receipt. For the roles the pack\'s `endOfContract` names (others: FORBIDDEN); `confirm` must be true. Irreversible.',
    args: { confirm: t.arg.boolean({ required: true }) },
    resolve: async (_root, { confirm }, ctx) => {
      const requestedAt = new Date();
      const outcome = await deleteTenantData(ctx, confirm, requestedAt);
      return signed(ctx, {
        tenant: outcome.tenant,
        requestedAt,
        completedAt: new Date(),
        auditId: ctx.governance.intentId,
        keysDestroyed: outcome.keysDestroyed,
        deleted: counts(outcome.deleted),
        anonymised: counts(outcome.anonymised),
        kept: outcome.kept,
      });
    },
  }),
}));

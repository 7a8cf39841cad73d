/**
 * The schema-size scaling type: `Record` with N personal-data fields (cycling through name / email /
 * location / username categories and truncate / mask / null / hash strategies; every tenth field
 * serves marketing only, so an essential.service read redacts it), over rows held in memory, owned
 * by the first bench users. Governed: built with govgate's GovernancePlugin; plain: the same builder
 * code without the plugin (the `governance` options are then inert).
 */
import SchemaBuilder, { type FieldMap } from '@pothos/core';
import type { GraphQLSchema } from 'graphql';
import { requireAuthenticated, type Caller } from '../../src/auth/index.js';
import type { FieldGovernance } from '../../src/governance/index.js';
import GovernancePlugin from '../../src/governance/plugin/index.js';
import { TENANT, subjectOf } from './dataset.js';

export interface SyntheticRow {
  id: string;
  tenant: string;
  subject: string;
  createdAt: Date;
  values: string[];
}

const KINDS: FieldGovernance[] = [
  { category: 'user.name', purposes: ['essential', 'personalize'], strategy: 'truncate' },
  { category: 'user.contact.email', purposes: ['essential', 'marketing.communications'], strategy: 'mask' },
  { category: 'user.location.coarse', purposes: ['essential', 'analytics.reporting'], strategy: 'null' },
  { category: 'user.account.username', purposes: ['essential'], strategy: 'hash' },
];
const MARKETING_ONLY: Omit<FieldGovernance, 'category' | 'strategy'> = { purposes: ['marketing.communications'] };

export const governanceOfField = (k: number): FieldGovernance => {
  const kind = KINDS[k % KINDS.length] as FieldGovernance;
  return k % 10 === 9 ? { ...kind, ...MARKETING_ONLY } : kind;
};

/** `rows` records of `fields` values each, owned by the first bench users. */
export function syntheticRows(fields: number, rows: number, now = new Date()): SyntheticRow[] {
  return Array.from({ length: rows }, (_, i) => ({
    id: `r${i}`,
    tenant: TENANT,
    subject: subjectOf(i),
    createdAt: now,
    values: Array.from({ length: fields }, (_v, k) => (k % KINDS.length === 1 ? `r${i}.f${k}@bench.example.com` : `value ${k} of record ${i}`)),
  }));
}

/** `records(first)` over the rows, with or without governance. */
export function buildSyntheticSchema(fields: number, governed: boolean, rows: readonly SyntheticRow[]): GraphQLSchema {
  const builder = new SchemaBuilder<{ Context: { readonly caller: Caller }; DefaultFieldNullability: false }>({
    plugins: governed ? [GovernancePlugin] : [],
    defaultFieldNullability: false,
  });
  const RecordRef = builder.objectRef<SyntheticRow>('Record');
  RecordRef.implement({
    governance: { subjectOf: (r) => r.subject, tenantOf: (r) => r.tenant, timestampOf: (r) => r.createdAt },
    fields: (t) => {
      const map: FieldMap = {
        id: t.exposeID('id', { governance: { category: 'system.operations', purposes: ['essential'], strategy: 'null' } }),
      };
      for (let k = 0; k < fields; k += 1) {
        map[`f${k}`] = t.string({ nullable: true, governance: governanceOfField(k), resolve: (r) => r.values[k] ?? null });
      }
      return map;
    },
  });
  builder.queryType({
    fields: (t) => ({
      records: t.field({
        type: [RecordRef],
        args: { first: t.arg.int({ required: true }) },
        resolve: (_root, { first }, ctx) => {
          requireAuthenticated(ctx.caller);
          return rows.slice(0, first);
        },
      }),
    }),
  });
  return builder.toSchema();
}

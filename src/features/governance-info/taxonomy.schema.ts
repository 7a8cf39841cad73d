import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { DATA_CATEGORIES, DATA_USES, REPLACED_CATEGORIES, type ReplacedKey, type TaxonomyRecord } from '../../governance/taxonomy/index.js';

const Origin = builder.enumType('TaxonomyOrigin', {
  values: { FIDESLANG: { value: 'fideslang', description: "Ethyca's fideslang default taxonomy" }, GOVGATE: { value: 'govgate', description: 'A govgate extension: fideslang has no key for it' } } as const,
});

export const TaxonomyEntryRef = builder.objectRef<TaxonomyRecord>('TaxonomyEntry').implement({
  description: 'A data category or purpose as data: its key, parent, name and description, and where it comes from.',
  fields: (t) => ({
    key: t.exposeString('key'),
    parent: t.exposeString('parent', { nullable: true }),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    fideslangVersion: t.exposeString('fideslangVersion', { nullable: true, description: 'The fideslang version that added the key; null for a govgate extension.' }),
    origin: t.expose('origin', { type: Origin }),
  }),
});

const ReplacedRef = builder.objectRef<ReplacedKey>('TaxonomyReplacedKey').implement({
  description: 'A key no longer accepted (fields and packs using it fail to build or load), with the key to use instead.',
  fields: (t) => ({ key: t.exposeString('key'), replacedBy: t.exposeString('replacedBy'), since: t.exposeString('since') }),
});

const TaxonomyRef = builder.objectRef<Record<string, never>>('Taxonomy').implement({
  fields: (t) => ({
    categories: t.field({ type: [TaxonomyEntryRef], resolve: () => [...DATA_CATEGORIES] }),
    purposes: t.field({ type: [TaxonomyEntryRef], resolve: () => [...DATA_USES] }),
    replaced: t.field({ type: [ReplacedRef], resolve: () => [...REPLACED_CATEGORIES] }),
  }),
});

builder.queryFields((t) => ({
  taxonomy: t.field({
    type: TaxonomyRef,
    description: 'Every data category and purpose the gateway knows, with names and descriptions (fideslang keys and govgate extensions).',
    resolve: (_root, _args, ctx) => {
      requireAuthenticated(ctx.caller);
      return {};
    },
  }),
}));

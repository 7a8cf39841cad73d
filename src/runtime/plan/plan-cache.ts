import type { DocumentNode, GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Caller } from '../../auth/index.js';
import type { PolicyPack } from '../../governance/packs/index.js';
import { buildPlan, type Plan } from './build-plan.js';

export interface PlanCacheOptions {
  /** Plans kept (least recently used evicted). Default 1000. */
  max?: number;
  /** Told of every lookup (the metrics count hits and misses). Default: nobody. */
  onLookup?: (hit: boolean) => void;
}

export interface PlanCacheStats {
  built: number;
  hits: number;
  size: number;
}

export interface PlanCache {
  planFor(document: DocumentNode, operationName: string | null | undefined, caller: Caller, purpose: string): Plan;
  stats(): PlanCacheStats;
}

/**
 * One plan per (document, operation, role set, purpose). Yoga caches parsed documents, so the
 * same DocumentNode usually comes back; its source text is the key either way.
 */
export function createPlanCache(schema: GraphQLSchema, pack: PolicyPack, options: PlanCacheOptions = {}): PlanCache {
  const cache = new LRUCache<string, Plan>({ max: options.max ?? 1000 });
  const sourceOf = new WeakMap<DocumentNode, string>();
  let built = 0;
  let hits = 0;
  const onLookup = options.onLookup ?? (() => undefined);
  return {
    planFor(document, operationName, caller, purpose) {
      let source = sourceOf.get(document);
      if (source === undefined) {
        source = document.loc?.source.body ?? JSON.stringify(document);
        sourceOf.set(document, source);
      }
      const key = `${source}\u0000${operationName ?? ''}\u0000${[...caller.roles].sort().join(',')}\u0000${purpose}`;
      const cached = cache.get(key);
      if (cached) {
        hits += 1;
        onLookup(true);
        return cached;
      }
      const plan = buildPlan(schema, document, caller, purpose, pack);
      built += 1;
      onLookup(false);
      cache.set(key, plan);
      return plan;
    },
    stats: () => ({ built, hits, size: cache.size }),
  };
}

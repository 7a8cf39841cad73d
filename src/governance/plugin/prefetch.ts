import { getNamedType, isObjectType, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLOutputType } from 'graphql';
import { findGovernedRequest, type GovernedRequest } from './governed-request.js';
import type { TypeGovernance } from '../types.js';

/** Where the governed items of a field's value are: the value itself (object or list), or a connection's nodes. */
export interface ItemSource {
  readonly governance: TypeGovernance;
  readonly connection: boolean;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

function itemsOf(value: unknown, connection: boolean): unknown[] {
  if (value === null || value === undefined) return [];
  if (connection) {
    const edges = (value as { edges?: { node?: unknown }[] }).edges;
    return Array.isArray(edges) ? edges.map((e) => e?.node) : [];
  }
  return Array.isArray(value) ? value : [value];
}

/** For a Relay connection type, the governed type of its nodes (or null). */
export function connectionNodeType(type: GraphQLOutputType): string | null {
  const named = getNamedType(type);
  if (!isObjectType(named)) return null;
  const edges = named.getFields().edges;
  if (!edges) return null;
  const edge = getNamedType(edges.type) as GraphQLObjectType;
  const node = isObjectType(edge) ? edge.getFields().node : undefined;
  return node ? getNamedType(node.type).name : null;
}

/**
 * Wraps a field that returns governed objects: once its value is resolved, the state of all their
 * subjects is loaded in one batch before their fields resolve, so per-value decisions need no
 * promise of their own.
 */
export function withPrefetch<C extends object>(
  resolver: GraphQLFieldResolver<unknown, C, object>,
  source: (returnType: GraphQLOutputType) => ItemSource | null,
): GraphQLFieldResolver<unknown, C, object> {
  let cached: ItemSource | null | undefined;
  return (parent, args, context, info) => {
    const result = resolver(parent, args, context, info);
    const gov = findGovernedRequest(context);
    if (!gov?.needsState) return result;
    cached ??= source(info.returnType);
    const items = cached;
    if (!items) return result;
    return isThenable(result) ? Promise.resolve(result).then((value) => prefetchItems(gov, items, value)) : prefetchItems(gov, items, result);
  };
}

function prefetchItems(gov: GovernedRequest, items: ItemSource, value: unknown): unknown {
  const pending = gov.prefetch(itemsOf(value, items.connection).map((item) => (item ? items.governance.subjectOf(item) : null)));
  return pending ? pending.then(() => value) : value;
}

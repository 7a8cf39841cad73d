import type { Model, QueryFilter, mongo } from 'mongoose';
import { GovgateError } from '../errors.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageOptions {
  /** Page size when `first` is omitted. Default 20. */
  defaultSize?: number;
  /** Largest page a client may ask for. Default 100. */
  maxSize?: number;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

// Cursors are opaque to clients but carry only an id: the tenant filter is always applied by the
// query itself, so a cursor crafted from another tenant's id can only position, never reveal.
const encode = (id: string): string => Buffer.from(`c:${id}`, 'utf8').toString('base64url');
const decode = (cursor: string): string => {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!raw.startsWith('c:') || raw.length > 130) throw new GovgateError('BAD_USER_INPUT', 'invalid cursor');
  return raw.slice(2);
};

/** The validated page size and the filter that continues after the cursor. */
function window(filter: Record<string, unknown>, args: PageArgs, options: PageOptions): { first: number; query: Record<string, unknown> } {
  const { defaultSize = 20, maxSize = 100 } = options;
  const first = args.first ?? defaultSize;
  if (!Number.isInteger(first) || first < 0 || first > maxSize) {
    throw new GovgateError('BAD_USER_INPUT', `first must be between 0 and ${maxSize}`);
  }
  return { first, query: args.after ? { $and: [filter, { _id: { $gt: decode(args.after) } }] } : filter };
}

function toPage<T extends { _id: string }>(rows: T[], first: number, args: PageArgs): Page<T> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: encode(node._id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** Forward Relay pagination over `_id` order: one query, first + 1 rows to learn hasNextPage. */
export async function paginateById<T extends { _id: string }>(model: Model<T>, filter: QueryFilter<T>, args: PageArgs, options: PageOptions = {}): Promise<Page<T>> {
  const { first, query } = window(filter as Record<string, unknown>, args, options);
  const rows = (await model.find(query as QueryFilter<T>).sort({ _id: 1 }).limit(first + 1).lean().exec()) as unknown as T[];
  return toPage(rows, first, args);
}

/** The same over a raw driver collection (the audit store bypasses mongoose). */
export async function paginateCollectionById<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  filter: Record<string, unknown>,
  args: PageArgs,
  options: PageOptions = {},
): Promise<Page<T>> {
  const { first, query } = window(filter, args, options);
  const rows = (await collection.find(query as mongo.Filter<T>).sort({ _id: 1 }).limit(first + 1).toArray()) as T[];
  return toPage(rows, first, args);
}

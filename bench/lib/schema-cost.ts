/**
 * The schema-size scaling points (synthetic type: governed vs plain, same round and connections)
 * and the governance cost they imply: per value and fixed per request, by least squares over the
 * points' governance CPU per request (governed − plain) against the values each request returns.
 */
import { aggregate, type Aggregate, type Sample } from './aggregate.js';

export interface SchemaPoint {
  readonly size: number;
  readonly selected: number;
  readonly query: string;
  readonly values: number;
  readonly plain: Aggregate;
  readonly governed: Aggregate;
  /** Governed − plain server CPU per request, ms. */
  readonly governanceMs: number;
}

/** The query id of a point: every field of the type, or the first ten. */
export const schemaQueryId = (size: number, selected: number): string => `schema-${size}-${selected === size ? 'all' : '10'}`;

export function schemaPoints(samples: readonly Sample[], sizes: readonly number[], rows: number, connections: number): SchemaPoint[] {
  return sizes.flatMap((size) =>
    [size, 10].flatMap((selected) => {
      const query = schemaQueryId(size, selected);
      const plain = aggregate(samples, query, `plain-${size}`, `plain-${size}`, connections);
      const governed = aggregate(samples, query, `governed-${size}`, `plain-${size}`, connections);
      if (!plain || !governed) return [];
      return [{ size, selected, query, values: selected * rows, plain, governed, governanceMs: governed.cpu - plain.cpu }];
    }),
  );
}

export interface CostFit {
  /** Slope: governance CPU per value returned, µs. */
  readonly perValueUs: number;
  /** Intercept: governance CPU per request independent of its size, ms. */
  readonly fixedMs: number;
}

/** Least squares of governanceMs on values; null with fewer than two distinct sizes of response. */
export function fitCost(points: readonly SchemaPoint[]): CostFit | null {
  const usable = points.filter((p) => Number.isFinite(p.governanceMs));
  if (new Set(usable.map((p) => p.values)).size < 2) return null;
  const n = usable.length;
  const mx = usable.reduce((a, p) => a + p.values, 0) / n;
  const my = usable.reduce((a, p) => a + p.governanceMs, 0) / n;
  const sxy = usable.reduce((a, p) => a + (p.values - mx) * (p.governanceMs - my), 0);
  const sxx = usable.reduce((a, p) => a + (p.values - mx) ** 2, 0);
  const slope = sxy / sxx;
  return { perValueUs: slope * 1000, fixedMs: my - slope * mx };
}

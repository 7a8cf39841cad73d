/**
 * The last phase of `npm run bench`: bench/profile.ts run as a child process per case
 * (NODE_ENV=production, PROFILE_BREAKDOWN=1) on the run's database server, each in a database of
 * its own (loaded with as many users as the run's, dropped after), one at a time with nothing else
 * under load, and its CPU by bucket collected for "Where the time goes".
 */
import { once } from 'node:events';
import type { Bucket } from './profile-breakdown.js';
import { spawnNode } from './processes.js';
import { schemaQueryId } from './schema-cost.js';

export interface ProfileCase {
  /** The query as the report names it: 'q1' … 'q4', or a schema-size point ('schema-500-10'). */
  readonly id: string;
  readonly variant: 'D' | 'governed' | 'plain';
  /** bench/profile.ts's argument. */
  readonly query: 'q1' | 'q2' | 'q3' | 'q4' | 'synthetic';
  /** Synthetic: governed fields in the type, fields queried, rows; values per request = selected × rows. */
  readonly fields?: number;
  readonly selected?: number;
  readonly rows?: number;
}

export interface ProfileResult {
  readonly id: string;
  readonly variant: ProfileCase['variant'];
  /** Values per request (synthetic), else null. */
  readonly values: number | null;
  /** Process CPU per request (all threads, in-process load driver included), µs. */
  readonly cpuUsPerReq: number;
  readonly buckets: readonly { readonly bucket: Bucket; readonly share: number; readonly usPerReq: number }[];
}

export interface ProfileFailure {
  readonly id: string;
  readonly variant: ProfileCase['variant'];
  readonly error: string;
}

export interface ProfileSettings {
  readonly uri: string;
  /** The run's database name: each profile gets `<dbName>_profile`. */
  readonly dbName: string;
  readonly users: number;
  readonly requests: number;
}

/**
 * The profile phase's cases: D on every query the run measures (q1–q4), and the synthetic type with
 * `fields` governed fields, every field and the first ten queried (the bench's two points at that
 * size: the difference between them is the cost per value), each governed and plain.
 */
export function profileCases(queries: readonly string[], withD: boolean, synthetic: { fields: number; rows: number } | null): ProfileCase[] {
  const points = synthetic ? [synthetic.fields, 10].map((selected) => ({ ...synthetic, selected, id: schemaQueryId(synthetic.fields, selected) })) : [];
  return [
    ...(['q1', 'q2', 'q3', 'q4'] as const).filter((q) => withD && queries.includes(q)).map((q): ProfileCase => ({ id: q, variant: 'D', query: q })),
    ...points.flatMap((p) => (['governed', 'plain'] as const).map((variant): ProfileCase => ({ ...p, variant, query: 'synthetic' }))),
  ];
}

const isBreakdownLine = (value: unknown): value is { breakdown: { cpuUsPerReq: number; buckets: ProfileResult['buckets'] } } =>
  typeof value === 'object' && value !== null && 'breakdown' in value && typeof (value as { breakdown: { cpuUsPerReq?: unknown } }).breakdown.cpuUsPerReq === 'number';

const TIMEOUT_MS = 15 * 60_000;

/** Runs one case; rejects with the child's exit status or a missing breakdown. */
export async function runProfile(c: ProfileCase, settings: ProfileSettings): Promise<ProfileResult> {
  const child = spawnNode('profile.ts', {
    args: [c.query],
    stdout: 'pipe',
    env: {
      NODE_ENV: 'production',
      MONGODB_URI: settings.uri,
      PROFILE_DB_NAME: `${settings.dbName}_profile`,
      PROFILE_USERS: String(settings.users),
      PROFILE_REQUESTS: String(settings.requests),
      PROFILE_BREAKDOWN: '1',
      ...(c.query === 'synthetic'
        ? { PROFILE_FIELDS: String(c.fields), PROFILE_SELECTED: String(c.selected), PROFILE_ROWS: String(c.rows), PROFILE_PLAIN: c.variant === 'plain' ? '1' : '0' }
        : {}),
    },
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  // A request that never returns would hold the whole bench: the child gets TIMEOUT_MS.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, TIMEOUT_MS);
  // 'close', not 'exit': stdout may still hold the last lines when the process exits.
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (timedOut) throw new Error(`bench/profile.ts ${c.query} did not finish within ${TIMEOUT_MS / 60_000} min`);
  if (code !== 0) throw new Error(`bench/profile.ts ${c.query} exited with ${signal ?? `code ${String(code)}`}`);
  const line = out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as unknown).find(isBreakdownLine);
  if (!line) throw new Error(`bench/profile.ts ${c.query} printed no breakdown`);
  const values = c.selected !== undefined && c.rows !== undefined ? c.selected * c.rows : null;
  return { id: c.id, variant: c.variant, values, cpuUsPerReq: line.breakdown.cpuUsPerReq, buckets: line.breakdown.buckets };
}

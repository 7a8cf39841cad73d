/**
 * docs/contract.md against the code's own lists: each section names every role, purpose, category,
 * reason, error code (with its HTTP status), header, token claim, endpoint, operation and audit
 * vocabulary the code has, and nothing the code does not have. The README's configuration table is
 * held to src/config.ts's environment schema the same way, and docs/observability.md's metrics to
 * the registry. A failure names what is missing and what is unknown.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getNamedType, isEnumType, isObjectType, Kind, parse, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AUDIT_OUTCOMES } from '../../src/audit/index.js';
import { PROBLEM_KINDS } from '../../src/audit/verify/problems.js';
import { ROLES, TOKEN_CLAIMS } from '../../src/auth/index.js';
import { envSchema } from '../../src/config.js';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { REASONS, STRATEGIES } from '../../src/governance/types.js';
import { DATA_CATEGORIES, DATA_USES } from '../../src/governance/taxonomy/index.js';
import { createMetrics } from '../../src/metrics.js';
import { DEFAULT_PURPOSES } from '../../src/runtime/index.js';
import { REPO_ROOT } from '../helpers/spawn.js';
import { cellCode, cellText, codeSpans, parseMarkdown, readMarkdown, section, tableRows } from './markdown.js';

const contract = readMarkdown(join(REPO_ROOT, 'docs/contract.md'));
const readme = readMarkdown(join(REPO_ROOT, 'README.md'));
const observability = readMarkdown(join(REPO_ROOT, 'docs/observability.md'));
const schema = buildSchema(readFileSync(join(REPO_ROOT, 'schema/schema.graphql'), 'utf8'));

/** Both directions at once, so a failure lists everything to fix. */
function expectSame(documented: Iterable<string>, actual: Iterable<string>, what: string): void {
  const doc = new Set(documented);
  const code = new Set(actual);
  const missing = [...code].filter((x) => !doc.has(x)).sort();
  const unknown = [...doc].filter((x) => !code.has(x)).sort();
  if (missing.length || unknown.length) {
    throw new Error(`${what}: the document misses ${JSON.stringify(missing)} and names ${JSON.stringify(unknown)}, which the code does not have`);
  }
}

/** The code spans of the first cell of every table row in a section. */
const firstColumn = (title: string, doc = contract): string[] => tableRows(section(doc, title)).flatMap((row) => cellCode(row[0]));

/** Every TypeScript file under src/. */
function sources(dir = join(REPO_ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : []));
}
const source = sources().join('\n');

describe('docs/contract.md', () => {
  it('lists every role, and each role\'s default purpose', () => {
    expectSame(firstColumn('Roles'), ROLES, 'roles');
    const defaults = tableRows(section(contract, 'Purposes')).filter((row) => row.length === 2);
    const documented = new Map<string, string>();
    for (const row of defaults) for (const role of cellCode(row[0])) documented.set(role, cellCode(row[1])[0] ?? '');
    for (const role of ROLES) expect(documented.get(role), `default purpose of ${role}`).toBe(DEFAULT_PURPOSES[role] ?? 'essential.service');
  });

  it('lists every purpose and every data category, with fideslang\'s name or govgate\'s', () => {
    for (const [title, records] of [['Purposes', DATA_USES], ['Data categories', DATA_CATEGORIES]] as const) {
      const rows = tableRows(section(contract, title)).filter((row) => row.length === 3);
      expectSame(rows.flatMap((row) => cellCode(row[0])), records.map((r) => r.key), title.toLowerCase());
      for (const row of rows) {
        const record = records.find((r) => r.key === cellCode(row[0])[0]);
        if (record) expect([cellText(row[1]), cellText(row[2])], record.key).toEqual([record.name, record.origin]);
      }
    }
  });

  it('lists every reason code, and every redaction strategy', () => {
    expectSame(firstColumn('Reason codes'), REASONS, 'reason codes');
    const strategies = codeSpans(section(contract, 'extensions.governance')).filter((s) => (STRATEGIES as readonly string[]).includes(s) || /^[a-z]+$/.test(s));
    expectSame(strategies, STRATEGIES, 'redaction strategies');
  });

  it('lists every error code with the HTTP status the code gives it', () => {
    const rows = tableRows(section(contract, 'Errors'));
    expectSame(rows.flatMap((row) => cellCode(row[0])), Object.keys(ERROR_CODES), 'error codes');
    for (const row of rows) {
      const status = Number(/^\d{3}/.exec(cellText(row[1]))?.[0]);
      for (const code of cellCode(row[0])) expect(status, code).toBe(ERROR_CODES[code as ErrorCode]);
    }
  });

  it('lists every request header the gateway reads and every response header it sets', () => {
    const read = [...source.matchAll(/headers\.(?:get|has)\('([a-z-]+)'\)/g)].map((m) => m[1]!);
    expectSame(firstColumn('Request headers').map((h) => h.toLowerCase()), read, 'request headers');
    const set = [...source.matchAll(/headers\.set\('([a-z-]+)'/g), ...source.matchAll(/headers: \{ '((?:x-|retry-)[a-z-]+)'/g)].map((m) => m[1]!);
    expectSame(firstColumn('Response headers').map((h) => h.toLowerCase()), set, 'response headers');
  });

  it('lists every token claim the verifier reads, and the registered ones it checks', () => {
    expectSame(firstColumn('Token claims'), [...TOKEN_CLAIMS, 'exp', 'nbf', 'iss', 'aud'], 'token claims');
  });

  it('lists every endpoint the gateway answers', () => {
    // Paths are configured as `graphqlEndpoint: '/graphql'`, `healthCheckEndpoint: '/health'` or a plugin's `path = '/ready'` default.
    const served = [...source.matchAll(/(?:Endpoint|\bpath)\s*[:=]\s*'(\/[^']*)'/g)].map((m) => m[1]!);
    expect(served).toContain('/graphql');
    expectSame(firstColumn('Endpoints').map((cell) => cell.replace(/^(GET|POST) /, '')), served, 'endpoints');
  });

  it('names every query and mutation in Operations, each with arguments it takes', () => {
    const rows = tableRows(section(contract, 'Operations'));
    const named = { Query: new Set<string>(), Mutation: new Set<string>() };
    const problems: string[] = [];
    for (const row of rows) {
      for (const [column, type] of [[1, schema.getQueryType()!], [2, schema.getMutationType()!]] as const) {
        for (const span of cellCode(row[column])) {
          const match = /^(\w+)(?:\(([^)]*)\))?$/.exec(span);
          const field = match ? type.getFields()[match[1]!] : undefined;
          if (!field) {
            problems.push(`${type.name}: \`${span}\` is not a ${type.name} field`);
            continue;
          }
          named[type.name as 'Query' | 'Mutation'].add(field.name);
          const args = (match![2] ?? '').split(',').map((a) => a.trim()).filter((a) => a && a !== '…');
          for (const arg of args) if (!field.args.some((a) => a.name === arg)) problems.push(`${type.name}.${field.name} has no argument ${arg}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expectSame(named.Query, Object.keys(schema.getQueryType()!.getFields()), 'queries');
    expectSame(named.Mutation, Object.keys(schema.getMutationType()!.getFields()), 'mutations');
  });

  it('names only fields that exist in "Shapes the contract promises"', () => {
    const problems: string[] = [];
    const check = (type: GraphQLObjectType, selections: SelectionSetNode, at: string): void => {
      for (const selection of selections.selections) {
        if (selection.kind !== Kind.FIELD) continue;
        const field = type.getFields()[selection.name.value];
        if (!field) problems.push(`${at}${type.name} has no field ${selection.name.value}`);
        else if (selection.selectionSet) {
          const inner = getNamedType(field.type);
          if (isObjectType(inner)) check(inner, selection.selectionSet, at);
          else problems.push(`${at}${type.name}.${field.name} has no fields`);
        }
      }
    };
    let checked = 0;
    for (const token of section(contract, 'Shapes the contract promises')) {
      const spans = (token.children ?? []).filter((c) => c.type === 'code_inline').map((c) => c.content);
      for (let i = 0; i + 1 < spans.length; i += 1) {
        const type = schema.getType(spans[i]!);
        if (!isObjectType(type) || !/^[a-z]\w*( |$)/.test(spans[i + 1]!)) continue;
        check(type, (parse(`{ ${spans[i + 1]!.replaceAll('…', '')} }`).definitions[0] as { selectionSet: SelectionSetNode }).selectionSet, `\`${spans[i]}\`: `);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(problems).toEqual([]);
  });

  it('lists every audit outcome, decision and verification problem (with the meaning the code gives it)', () => {
    const problems = tableRows(section(contract, 'Verification problems'));
    expectSame(problems.flatMap((row) => cellCode(row[0])), Object.keys(PROBLEM_KINDS), 'verification problems');
    for (const row of problems) {
      const kind = cellCode(row[0])[0] as keyof typeof PROBLEM_KINDS;
      if (PROBLEM_KINDS[kind]) expect(cellText(row[1]), kind).toBe(PROBLEM_KINDS[kind]);
    }
    const enumOf = (name: string): string[] => {
      const type = schema.getType(name);
      return isEnumType(type) ? type.getValues().map((v) => v.name) : [];
    };
    expect(enumOf('AuditProblemKind').sort()).toEqual(Object.keys(PROBLEM_KINDS).sort());
    const audit = codeSpans(section(contract, 'Audit outcomes and decisions'));
    for (const value of [...AUDIT_OUTCOMES, ...enumOf('Decision')]) expect(audit, value).toContain(value);
  });
});

describe('the completeness check', () => {
  it('fails on a document that misses a name, or names one the code does not have', () => {
    const row = contract.text.split('\n').find((line) => line.startsWith('| `ROLE` |'))!;
    expect(row).toBeDefined();
    const edited = parseMarkdown(contract.file, contract.text.replace(row, '| `BOGUS` | a reason the code does not have |'));
    expect(() => expectSame(firstColumn('Reason codes', edited), REASONS, 'reason codes')).toThrow(/ROLE/);
    expect(() => expectSame([...REASONS, 'BOGUS'], REASONS, 'reason codes')).toThrow(/BOGUS/);
  });
});

describe('README.md configuration table', () => {
  const rows = tableRows(section(readme, 'Configuration'));
  const variables = Object.keys(envSchema.shape);

  it('documents every variable src/config.ts parses, and none it does not', () => {
    expectSame(rows.flatMap((row) => cellCode(row[0])), variables, 'environment variables');
  });

  it('gives each variable the default the schema applies', () => {
    const defaults = envSchema.parse({}) as Record<string, unknown>;
    const wrong: string[] = [];
    for (const row of rows) {
      const shown = cellCode(row[1]);
      for (const variable of cellCode(row[0])) {
        const value = defaults[variable];
        if (value !== undefined && !shown.includes(String(value))) wrong.push(`${variable}: default ${String(value)}, documented ${shown.join(' / ') || cellText(row[1])}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('docs/observability.md metrics table', () => {
  it('lists every govgate metric the registry has', async () => {
    const registered = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('govgate_'));
    expectSame(firstColumn('Metrics: GET /metrics', observability).filter((m) => m.startsWith('govgate_')), registered, 'metrics');
  });
});

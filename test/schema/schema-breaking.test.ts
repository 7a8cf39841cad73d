/**
 * `npm run schema:breaking`: the real script on temporary copies of the schema, each edited the way
 * a developer might, and on the committed schema against the last release snapshot.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastRelease } from '../../src/schema-compat/index.js';
import { cleanEnv, REPO_ROOT, spawnTs } from '../helpers/spawn.js';

let dir: string;
let schema: string;
let released: string;

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnTs('src/scripts/schema-breaking.ts', args, cleanEnv({}));
  const code = await run.exited();
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Writes an edited copy of the released schema; fails when the edit did not apply. */
async function edited(name: string, edit: (sdl: string) => string): Promise<string> {
  const next = edit(released);
  expect(next, `${name}: the edit must change the schema`).not.toBe(released);
  const file = join(dir, `${name}.graphql`);
  await writeFile(file, next);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govgate-schema-breaking-'));
  const release = lastRelease();
  expect(release).not.toBeNull();
  released = await readFile(release!.file, 'utf8');
  schema = join(dir, 'released.graphql');
  await writeFile(schema, released);
});

describe('npm run schema:breaking', { timeout: 60_000 }, () => {
  it('passes on the committed schema against the last release snapshot', async () => {
    const run = await cli([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^schema:breaking: schema\/schema\.graphql against schema\/releases\/\d+\.\d+\.\d+\.graphql \(last release \d+\.\d+\.\d+\)\n/);
    expect(run.stdout).toContain('no breaking changes');
  });

  it('fails on a removed field, naming its kind and coordinate', async () => {
    const file = await edited('removed', (sdl) => sdl.replace('\n  me: User\n', '\n'));
    const run = await cli([schema, file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('1 breaking change(s):\n  FIELD_REMOVED Query.me: ');
  });

  it('fails on a changed field type and a changed argument type', async () => {
    const file = await edited('changed', (sdl) => sdl.replace('\n  me: User\n', '\n  me: String\n').replace('\n  user(id: ID!): User\n', '\n  user(id: String!): User\n'));
    const run = await cli([schema, file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('2 breaking change(s):');
    expect(run.stdout).toContain('  FIELD_TYPE_CHANGED Query.me: ');
    expect(run.stdout).toContain('  FIELD_ARGUMENT_TYPE_CHANGED Query.user.id: ');
  });

  it('passes on an added optional field', async () => {
    const file = await edited('added', (sdl) => sdl.replace('\n  me: User\n', '\n  me: User\n  meToo(verbose: Boolean): User\n'));
    const run = await cli([schema, file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nno breaking changes \(0 dangerous, [1-9]\d* safe\)\n/);
  });

  it('fails on a new required argument', async () => {
    const file = await edited('required', (sdl) => sdl.replace('\n  me: User\n', '\n  me(verbose: Boolean!): User\n'));
    const run = await cli([schema, file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  FIELD_ARGUMENT_ADDED Query.me.verbose: ');
  });

  it('lists dangerous changes (a new enum value, a new optional argument) as warnings and passes', async () => {
    const file = await edited('dangerous', (sdl) => sdl.replace('enum Decision {\n', 'enum Decision {\n  ESCALATE\n').replace('\n  me: User\n', '\n  me(verbose: Boolean): User\n'));
    const run = await cli([schema, file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('warning: 2 dangerous change(s):\n  ENUM_VALUE_ADDED Decision.ESCALATE: ');
    expect(run.stdout).toContain('\n  FIELD_ARGUMENT_ADDED Query.me.verbose: ');
    expect(run.stdout).toContain('no breaking changes (2 dangerous, 0 safe)');
  });

  it('fails on a removed enum value; warns on a changed default and a changed @governed classification', async () => {
    const removed = await edited('enum-removed', (sdl) => sdl.replace('enum Decision {\n  ALLOW\n', 'enum Decision {\n'));
    const breaking = await cli([schema, removed]);
    expect(breaking.code).toBe(1);
    expect(breaking.stdout).toContain('  ENUM_VALUE_REMOVED Decision.ALLOW: ');
    const reclassified = await edited('reclassified', (sdl) =>
      sdl
        .replace('recordOfProcessing(article: ProcessingRecordArticle = PROCESSOR)', 'recordOfProcessing(article: ProcessingRecordArticle = CONTROLLER)')
        .replace('actorRole: String! @governed(category: "system.operations"', 'actorRole: String! @governed(category: "user.name"'),
    );
    const dangerous = await cli([schema, reclassified]);
    expect(dangerous.code).toBe(0);
    expect(dangerous.stdout).toContain('  FIELD_ARGUMENT_DEFAULT_CHANGED Query.recordOfProcessing.article: ');
    expect(dangerous.stdout).toMatch(/\n {2}DIRECTIVE_USAGE_\w+ AccessLogEntry\.actorRole\.@governed/);
  });

  it('exits 2 with one line on a missing or invalid file', async () => {
    const broken = join(dir, 'broken.graphql');
    await writeFile(broken, 'type Query {');
    for (const args of [[schema, join(dir, 'missing.graphql')], [schema, broken], [schema]]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^schema:breaking: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('lastRelease', () => {
  it('picks the highest version, by number', async () => {
    const releases = await mkdtemp(join(tmpdir(), 'govgate-releases-'));
    for (const name of ['0.9.0.graphql', '0.10.0.graphql', '0.2.1.graphql', 'notes.md', '1.0.graphql']) await writeFile(join(releases, name), '');
    expect(lastRelease(releases)).toEqual({ version: '0.10.0', file: join(releases, '0.10.0.graphql') });
    expect(lastRelease(await mkdtemp(join(tmpdir(), 'govgate-no-releases-')))).toBeNull();
  });

  it('has a snapshot for the version in package.json or an earlier one', async () => {
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const last = lastRelease()!;
    const parts = (v: string): number[] => v.split(/[.-]/).slice(0, 3).map(Number);
    const [a, b] = [parts(last.version), parts(version)];
    expect(a[0]! * 1e6 + a[1]! * 1e3 + a[2]!).toBeLessThanOrEqual(b[0]! * 1e6 + b[1]! * 1e3 + b[2]!);
  });
});

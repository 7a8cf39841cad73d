/**
 * What changed between two printed schemas, sorted by what it does to clients: graphql-inspector's
 * classification (`CriticalityLevel`): breaking changes fail a client that relied on the old schema,
 * dangerous ones may change what such a client sees (a new enum value, a changed default).
 */
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

export interface SchemaChange {
  /** graphql-inspector's kind, e.g. `FIELD_REMOVED`, `FIELD_TYPE_CHANGED`. */
  readonly kind: string;
  /** The schema coordinate it applies to, e.g. `Query.me` or `Query.user.id`. */
  readonly coordinate: string;
  readonly message: string;
}

export interface SchemaChanges {
  readonly breaking: readonly SchemaChange[];
  readonly dangerous: readonly SchemaChange[];
  /** Everything else (additions, descriptions): listed only as a count. */
  readonly safe: number;
}

/** A schema file that does not parse or build: the file and graphql-js's first line. */
export class SchemaFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'SchemaFileError';
  }
}

function build(file: string, sdl: string): ReturnType<typeof buildSchema> {
  try {
    return buildSchema(sdl);
  } catch (error) {
    throw new SchemaFileError(file, error instanceof Error ? (error.message.split('\n')[0] ?? 'not a schema') : 'not a schema');
  }
}

const toChange = (change: Change): SchemaChange => ({ kind: String(change.type), coordinate: change.path ?? '(schema)', message: change.message });

const byCoordinate = (a: SchemaChange, b: SchemaChange): number => a.coordinate.localeCompare(b.coordinate) || a.kind.localeCompare(b.kind);

/** Compares two SDL texts (named by file, for errors). */
export async function schemaChanges(old: { file: string; sdl: string }, next: { file: string; sdl: string }): Promise<SchemaChanges> {
  const changes = await diff(build(old.file, old.sdl), build(next.file, next.sdl));
  const at = (level: CriticalityLevel): SchemaChange[] => changes.filter((c) => c.criticality.level === level).map(toChange).sort(byCoordinate);
  return { breaking: at(CriticalityLevel.Breaking), dangerous: at(CriticalityLevel.Dangerous), safe: changes.filter((c) => c.criticality.level === CriticalityLevel.NonBreaking).length };
}

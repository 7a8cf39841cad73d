export { lastRelease, RELEASES_DIR } from './last-release.js';
export { schemaChanges, SchemaFileError, type SchemaChange, type SchemaChanges } from './schema-changes.js';

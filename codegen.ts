import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for schema/operations/*.graphql; tests (and frontends) use them.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'schema/operations/*.graphql',
  generates: {
    'test/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown' },
        avoidOptionals: { field: true, inputValue: false, object: false },
        skipTypename: true,
      },
    },
  },
  hooks: {},
};

export default config;

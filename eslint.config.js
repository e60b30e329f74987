// @ts-check
import { readdirSync } from 'node:fs';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Each client library may be imported only by the adapter lib that owns it (see docs/adr). */
const clientOwners = [
  // nkeys is a key library, not a client: credentials are made where the permissions are derived.
  { pattern: ['@nats-io/*', '!@nats-io/nkeys'], owner: 'libs/messaging', why: 'use @muster/messaging' },
  { pattern: '@nats-io/nkeys', owner: 'libs/bus-auth', why: 'use @muster/bus-auth' },
  { pattern: 'minio', owner: 'libs/object-store', why: 'use @muster/object-store' },
  { pattern: 'bullmq', owner: 'libs/jobs', why: 'use @muster/jobs' },
  { pattern: 'ioredis', owner: 'libs/jobs', why: 'use @muster/jobs' },
];

/** TypeORM belongs to libs/persistence and to a service's entity, repository and migration files. */
const typeormFiles = [
  'libs/persistence/**',
  '**/*.entity.ts',
  '**/*.repository.ts',
  '**/migrations/**',
  'libs/testing/**',
];

/** Services never import services (nor does anything else): they talk over the bus. */
const serviceImports = {
  group: readdirSync(new URL('./services', import.meta.url)).map((name) => `@muster/${name}`),
  message: 'a service is never imported: ask it over the bus (a query) or listen to its events',
};

const restrictedClients = (except) => [
  serviceImports,
  ...clientOwners
    .filter((c) => c.owner !== except)
    .map((c) => {
      const group = [c.pattern].flat();
      return { group, message: `only ${c.owner} imports ${group[0]}: ${c.why}` };
    }),
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.nx/**',
      'libs/contracts/src/gen/**',
      '.muster/**',
      'coverage/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            // The CLI (an application beside the services) may use libraries, never a service.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: restrictedClients(undefined) }] },
  },
  ...[...new Set(clientOwners.map((c) => c.owner))].map((owner) => ({
    files: [`${owner}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: restrictedClients(owner) }] },
  })),
  {
    files: ['**/*.ts'],
    ignores: typeormFiles,
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='typeorm'][importKind!='type']",
          message: 'only libs/persistence and *.entity.ts, *.repository.ts and migrations import typeorm',
        },
      ],
    },
  },
  {
    // Test doubles are often async without awaiting anything: they stand in for async code.
    files: ['**/test/**/*.ts', '**/*.spec.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);

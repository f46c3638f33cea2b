import nextCoreWebVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

// Layer boundaries are enforced here, not hoped for: the ledger is the heart of the registry and
// stays pure of the web framework, the RPC layer and the authentication library (STYLE.md, rule 1).
const webOnly = ['next', 'next/*', 'react', 'react/*', 'react-dom', 'react-dom/*', '@trpc/*', 'next-auth', 'next-auth/*'];
// Production code imports nothing from scripts/ (STYLE.md, rule 13): what both need lives in server/,
// and the scripts import it from there.
const noScripts = { group: ['**/scripts', '**/scripts/**'], message: 'Production code imports nothing from scripts/: move what it needs into server/, and have the script import it from there.' };

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: ['node_modules/**', '.next/**', '.data/**', 'server/db/generated/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noScripts] }],
      // no-restricted-imports does not see import(): the same boundary for dynamic imports.
      'no-restricted-syntax': ['error', { selector: 'ImportExpression[source.value=/(^|\\/)scripts(\\/|$)/]', message: noScripts.message }],
    },
  },
  {
    files: ['server/ledger/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: webOnly, message: 'server/ledger must stay free of next, react, tRPC and next-auth.' }, noScripts] }],
    },
  },
  {
    // The ledger's core: its vocabulary (types.ts), its refusals (check-codes.ts) and what an operation
    // decides (plan.ts), with the canonical encoding and the serials. The core imports nothing above
    // it (no operation, rule, descriptor, reservation or the write path), so that it can be read first
    // and alone, and every layer above can import it without a cycle.
    files: ['server/ledger/{types,check-codes,plan,canonical-json,serial}.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: webOnly, message: 'server/ledger must stay free of next, react, tRPC and next-auth.' },
            { regex: '^\\./(?!(types|check-codes|plan|canonical-json|serial)$)', message: 'The ledger core imports only the core (types, check-codes, plan, canonical-json, serial): move the definition it needs down into it.' },
            { regex: '^\\.\\./(?!db/(client|generated/enums)$)', message: 'The ledger core imports nothing outside the ledger but the database types.' },
          ],
        },
      ],
    },
  },
  {
    // Routers are thin adapters: they reach the database through the ledger or a service.
    files: ['server/api/**/*.ts', 'app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/db/generated/*', '**/db/generated'], message: 'Use the ledger or a service; only they know the ORM.' }, noScripts] }],
    },
  },
];

export default config;

import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import drizzle from 'eslint-plugin-drizzle';

// Next.js's TypeScript rules, React hooks, and drizzle's where-guards: an update or delete without
// a WHERE is refused, through the transaction handle (`tx`) as through `db`.
const config = [
  ...nextVitals,
  ...nextTs,
  {
    plugins: { drizzle },
    rules: {
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { ignores: ['.next/**', '.custos/**', '.bench/**', 'node_modules/**', 'next-env.d.ts', 'test-results/**', 'coverage/**'] },
];

export default config;

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM database/engine packages must be loaded by Node, not bundled.
  serverExternalPackages: ['@duckdb/node-api', '@duckdb/node-bindings', '@electric-sql/pglite', '@node-rs/argon2', 'node-sql-parser', 'pdfkit'],
  experimental: {
    authInterrupts: true,
  },
  poweredByHeader: false,
  // `npm run typecheck` checks every file in CI; the build need not do it again (a third of a first start).
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  // Content-Security-Policy, HSTS and Permissions-Policy are set per response in proxy.ts (the CSP carries a nonce).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Cache-Control', value: 'no-store' },
        ],
      },
    ];
  },
};

module.exports = nextConfig;

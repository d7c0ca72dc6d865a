/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM database/engine packages must be loaded by Node, not bundled.
  serverExternalPackages: ['@duckdb/node-api', '@duckdb/node-bindings', '@electric-sql/pglite', '@node-rs/argon2', 'pdfkit'],
  experimental: {
    authInterrupts: true,
    taint: true,
  },
  poweredByHeader: false,
  // `npm run typecheck` checks every file in CI; the build need not do it again (a third of a first start).
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
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

import { describe, expect, inject, it } from 'vitest';

const baseUrl = inject('baseUrl');

describe('GET /api/health', () => {
  it('answers 200 without a session, naming the adapters and nothing secret', async () => {
    const response = await fetch(`${baseUrl}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', db: { kind: 'pglite', ok: true }, engine: { kind: 'duckdb', ok: true } });
    expect(JSON.stringify(body)).not.toMatch(/secret|password|key|\/tmp|MRN/i);
  });

  it('refuses the API to a visitor without a session', async () => {
    const response = await fetch(`${baseUrl}/api/runs/00000000-0000-0000-0000-000000000000/status`);
    expect(response.status).toBe(401);
  });
});

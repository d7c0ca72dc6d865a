import { describe, expect, it } from 'vitest';
import { PAGE_SEARCH, searchProblem, searchRouteOf } from '@/lib/web/search-params';
import { PAGES } from '@/lib/web/routes';
import { BAD_QUERY_STRINGS, SOME_RUN as RUN } from '../support/bad-query-strings';

const problem = (url: string) => {
  const u = new URL(url, 'http://portal.test');
  return searchProblem(u.pathname, u.searchParams);
};

describe('query strings pages read', () => {
  it('has a schema for every page that reads one, and only for real pages', () => {
    for (const route of Object.keys(PAGE_SEARCH)) expect(Object.keys(PAGES)).toContain(route);
  });

  it('finds the page of a path, static segments before dynamic ones', () => {
    expect(searchRouteOf('/audit/runs')).toBe('/audit/runs');
    expect(searchRouteOf('/audit/runs/compare')).toBe('/audit/runs/compare');
    expect(searchRouteOf(`/audit/runs/${RUN}`)).toBe('/audit/runs/[runId]');
    expect(searchRouteOf('/audit/failed-access')).toBe('/audit/[queryId]');
    expect(searchRouteOf('/patients')).toBe('/patients');
    expect(searchRouteOf('/posture')).toBe('/posture');
    expect(searchRouteOf(`/posture/runs/${RUN}`)).toBe('/posture/runs/[runId]');
    expect(searchRouteOf('/retention')).toBeNull();
  });

  it.each(Object.entries(BAD_QUERY_STRINGS))('names the bad value on %s', (path, corpus) => {
    for (const query of corpus) {
      const found = problem(`${path}?${query}`);
      expect(found, `${path}?${query}`).toMatch(/cannot be used|is given twice/);
    }
  });

  it('says which value and why in plain words', () => {
    expect(problem('/audit/runs?offset=-1')).toBe('the page position (offset) cannot be used: Too small: expected number to be >=0.');
    expect(problem('/audit/runs?offset=1&offset=2')).toBe('the page position (offset) is given twice.');
    expect(problem('/audit/runs/compare?before=1&after=2')).toBe('the earlier run (before) cannot be used: expected a run id from the portal.');
  });

  it('lets good values and Next\'s own keys through', () => {
    for (const url of [
      '/audit/runs',
      '/audit/runs?status=failed&from=2026-10-01&to=2026-10-31&offset=50&queryId=failed-access&user=ada',
      `/audit/runs/${RUN}?offset=100&limit=50&sort=event_time&dir=desc&_rsc=1x2y`,
      `/audit/runs/compare?before=${RUN}&after=${RUN}`,
      '/audit/runs/compare',
      '/audit/failed-access?from=2026-10-01&to=2026-10-31',
      `/patients/report?accesses=${RUN}&studies=${RUN}&offset=50`,
      '/admin?offset=50&action=query.run',
      '/patients?anything=goes',
      '/patients?ref=AbC-_123',
    ]) {
      expect(problem(url), url).toBeNull();
    }
  });
});

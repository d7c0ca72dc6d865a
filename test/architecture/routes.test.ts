import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ACTIONS, HANDLERS, PAGES } from '@/lib/web/routes';

// Routes by construction: every page, route handler and server action found in app/ is declared
// in lib/web/routes.ts with its permission, and nothing is declared that does not exist.
const APP = path.resolve(__dirname, '../../app');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const FILES = walk(APP).map((f) => path.relative(APP, f));
/** `(portal)/audit/[queryId]/page.tsx` → `/audit/[queryId]`: route groups do not appear in the address. */
const routeOf = (file: string) => '/' + path.dirname(file).split('/').filter((part) => part !== '.' && !part.startsWith('(')).join('/');

function exportedFunctions(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(APP, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  source.forEachChild((node) => {
    const exported = ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) return;
    if (ts.isFunctionDeclaration(node) && node.name) names.push(node.name.text);
    if (ts.isVariableStatement(node)) for (const d of node.declarationList.declarations) names.push(d.name.getText(source));
  });
  // export { handler as GET, handler as POST }
  source.forEachChild((node) => {
    if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) {
      for (const e of node.exportClause.elements) names.push(e.name.text);
    }
  });
  return names;
}

export function pagesOnDisk(): string[] {
  return FILES.filter((f) => f.endsWith('/page.tsx') || f === 'page.tsx').map(routeOf).sort();
}

export function handlersOnDisk(): string[] {
  const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
  return FILES.filter((f) => f.endsWith('route.ts'))
    .flatMap((f) => exportedFunctions(f).filter((n) => methods.has(n)).map((m) => `${m} ${routeOf(f)}`))
    .sort();
}

export function actionsOnDisk(): string[] {
  return FILES.filter((f) => f.endsWith('actions.ts'))
    .flatMap((f) => exportedFunctions(f).map((name) => `${f}#${name}`))
    .sort();
}

describe('routes by construction', () => {
  it('declares every page in app/ with its permission, and only those', () => {
    expect(Object.keys(PAGES).sort()).toEqual(pagesOnDisk());
  });

  it('declares every route handler method with its permission, and only those', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual(handlersOnDisk());
  });

  it('declares every exported server action with its permission, and only those', () => {
    expect(Object.keys(ACTIONS).sort()).toEqual(actionsOnDisk());
  });

  it('guards every page that is not public through requirePage with its own route', () => {
    const offenders = FILES.filter((f) => f.endsWith('page.tsx')).filter((f) => {
      const route = routeOf(f) as keyof typeof PAGES;
      const guard = PAGES[route] as { permission: string | null; public?: true };
      const text = fs.readFileSync(path.join(APP, f), 'utf8');
      if (guard.public || guard.permission === null) return !/currentActor\(\)/.test(text);
      return !text.includes(`requirePage('${route}',`);
    });
    expect(offenders).toEqual([]);
  });

  it('fails for an entry point missing from the registry (the checks themselves work)', () => {
    expect(routeOf('(portal)/retention/unlisted/[itemId]/page.tsx')).toBe('/retention/unlisted/[itemId]');
    expect(Object.keys(PAGES)).not.toContain('/retention/unlisted/[itemId]');
  });
});

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The codebase's rules, checked rather than remembered (README, "Rules of this codebase").
const ROOT = path.resolve(__dirname, '../..');

function files(dir: string, ext = /\.(ts|tsx)$/): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(rel, ext));
    else if (ext.test(entry.name)) out.push(rel);
  }
  return out;
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Module specifiers a file imports at run time (type-only imports excluded). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  source.forEachChild((node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
      const named = node.importClause?.namedBindings;
      const allTypes = named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly) && !node.importClause?.name;
      if (!allTypes) out.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) out.push((node.moduleSpecifier as ts.StringLiteral).text);
  });
  return out;
}

const DATA_PACKAGES = /^(drizzle-orm|@electric-sql\/pglite|pg|@duckdb\/|@aws-sdk\/)/;

describe('rules of this codebase', () => {
  it('app/ and components/ reach data only through lib verbs: no database, engine, AWS or env imports', () => {
    const offenders: string[] = [];
    for (const file of [...files('app'), ...files('components')]) {
      for (const spec of runtimeImports(file)) {
        if (DATA_PACKAGES.test(spec) || spec.startsWith('@/lib/db') || spec === '@/lib/config/env' || spec.startsWith('@/lib/engine/') && !spec.endsWith('/port')) {
          offenders.push(`${file} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('client components import no server-only module at run time', () => {
    const serverOnly = new Set(
      files('lib')
        .filter((f) => /^import 'server-only';/m.test(read(f)))
        .map((f) => `@/${f.replace(/\.(ts|tsx)$/, '')}`),
    );
    const offenders: string[] = [];
    for (const file of [...files('app'), ...files('components')].filter((f) => /^'use client';/.test(read(f)))) {
      for (const spec of runtimeImports(file)) if (serverOnly.has(spec)) offenders.push(`${file} imports ${spec}`);
    }
    expect(offenders).toEqual([]);
  });

  it('every lib module that touches the database, an engine or AWS is server-only', () => {
    const missing = files('lib').filter((f) => {
      const imports = runtimeImports(f);
      const touches = imports.some((s) => DATA_PACKAGES.test(s) || s === '@/lib/config/services' || s === '@/lib/db/tx');
      // table definitions stay importable by drizzle-kit; lake tooling runs in the CLI and workers
      return touches && !/^import 'server-only';/m.test(read(f)) && !f.startsWith('lib/lake/') && !f.startsWith('lib/bench/') && !f.startsWith('lib/db/schema/');
    });
    expect(missing).toEqual([]);
  });

  it("'use server' appears only in app/**/actions.ts", () => {
    const offenders = [...files('app'), ...files('components'), ...files('lib')].filter(
      (f) => /^['"]use server['"];/m.test(read(f)) && !/^app\/.*\/actions\.ts$/.test(f),
    );
    expect(offenders).toEqual([]);
  });

  it('configuration is read from process.env only in lib/config/env.ts', () => {
    const offenders = [...files('app'), ...files('components'), ...files('lib')].filter((f) => {
      if (f === 'lib/config/env.ts') return false;
      // passing the environment on to a child process is not reading configuration
      const reads = read(f).replaceAll('...process.env', '');
      return /process\.env\b/.test(reads);
    });
    expect(offenders).toEqual([]);
  });

  it('every exported function that opens a transaction authorizes first and journals inside (or says why not)', () => {
    const offenders: string[] = [];
    for (const file of files('lib')) {
      const text = read(file);
      if (!text.includes('withTransaction(')) continue;
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      source.forEachChild((node) => {
        if (!ts.isFunctionDeclaration(node) || !node.body) return;
        const exported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
        const body = node.body.getFullText(source);
        if (!exported || !body.includes('withTransaction(')) return;
        const name = node.name?.text ?? '(anonymous)';
        if (/\/\/ mutation-path: \S/.test(node.getFullText(source))) return;
        const authorizedAt = Math.min(...['authorize(', 'authorizeQuery('].map((a) => (body.includes(a) ? body.indexOf(a) : Infinity)));
        if (!(authorizedAt < body.indexOf('withTransaction('))) offenders.push(`${file}: ${name} opens a transaction before authorizing`);
        if (!body.includes('appendJournal(')) offenders.push(`${file}: ${name} does not journal`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('no test is focused or skipped (except the real-fixture suites where the folder is absent)', () => {
    const offenders = files('test').filter((f) => {
      const text = read(f);
      if (/\b(it|test|describe)\.(only|todo)\(|\bx(it|describe)\(/.test(text)) return true;
      return /\b(it|test|describe)\.skip(If)?\(/.test(text) && !/fixtures\/real|REAL_FIXTURES|realFixtures/i.test(text);
    });
    expect(offenders).toEqual([]);
  });
});

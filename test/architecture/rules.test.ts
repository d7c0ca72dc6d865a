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

// A verb opens its transaction only after one of these has checked the actor's role.
const AUTHORIZER = /\b(authorize|authorizeQuery|loadRunnableQuery)\(/;
// Calls that append to the journal in the caller's transaction (enqueueJob journals the new job).
const JOURNALER = /\b(appendJournal|enqueueJob)\(/;
const MUTATION_PATH_REASON = /\/\/ mutation-path: \S/;
// A drizzle write whose receiver is not the transaction handle.
const DIRECT_WRITE = /\b(db|ctx\.db|this\.db|database\.db)\s*\.\s*(insert|update|delete)\(/;

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

function isFunctionLike(node: ts.Node): node is FunctionLike {
  return ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node);
}

function functionsInside(node: ts.Node): FunctionLike[] {
  const out: FunctionLike[] = [];
  const visit = (n: ts.Node) => {
    if (n !== node && isFunctionLike(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

function functionName(node: FunctionLike): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  let parent: ts.Node | undefined = node.parent;
  while (parent && !ts.isVariableDeclaration(parent) && !ts.isSourceFile(parent)) parent = parent.parent;
  return parent && ts.isVariableDeclaration(parent) ? parent.name.getText() : '(anonymous)';
}

/** The comment lines above a function, or above the statement that declares it. */
function leadingText(node: ts.Node, source: ts.SourceFile): string {
  let at: ts.Node = node;
  while (at.parent && !ts.isSourceFile(at.parent) && !ts.isBlock(at.parent) && !ts.isClassDeclaration(at.parent)) at = at.parent;
  return at.getFullText(source).slice(0, at.getStart(source) - at.getFullStart());
}

/** Exported functions: declarations, and `export const name = …` holding an arrow or function, bare or wrapped (cache(…)). */
function exportedFunctions(file: string, text: string): { name: string; body: string; fullText: string }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: { name: string; body: string; fullText: string }[] = [];
  const exported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  source.forEachChild((node) => {
    if (ts.isFunctionDeclaration(node) && node.body && exported(node)) {
      out.push({ name: node.name?.text ?? '(anonymous)', body: node.body.getFullText(source), fullText: node.getFullText(source) });
    }
    if (ts.isVariableStatement(node) && exported(node)) {
      for (const decl of node.declarationList.declarations) {
        const fn = decl.initializer && [decl.initializer, ...functionsInside(decl.initializer)].find(isFunctionLike);
        if (fn) out.push({ name: decl.name.getText(source), body: fn.getText(source), fullText: node.getFullText(source) });
      }
    }
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
      for (const fn of exportedFunctions(file, text)) {
        if (!fn.body.includes('withTransaction(') || MUTATION_PATH_REASON.test(fn.fullText)) continue;
        const authorizedAt = fn.body.search(AUTHORIZER);
        if (authorizedAt < 0 || authorizedAt > fn.body.indexOf('withTransaction(')) offenders.push(`${file}: ${fn.name} opens a transaction before authorizing`);
        if (!JOURNALER.test(fn.body)) offenders.push(`${file}: ${fn.name} does not journal`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('writes to the database only through a transaction (`tx`), or says why not', () => {
    const offenders: string[] = [];
    for (const file of files('lib')) {
      const text = read(file);
      if (!DIRECT_WRITE.test(text)) continue;
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (isFunctionLike(node) && DIRECT_WRITE.test(node.getText(source))) {
          const inner = node.getText(source);
          const nested = functionsInside(node).some((f) => DIRECT_WRITE.test(f.getText(source)));
          if (!nested && !MUTATION_PATH_REASON.test(leadingText(node, source))) offenders.push(`${file}: ${functionName(node)} writes outside a transaction`);
          if (!nested) return;
          void inner;
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(offenders).toEqual([]);
  });

  it('the mutation-path checks see arrow functions, cache() wrappers and writes outside a transaction', () => {
    const sample = [
      "export const hidden = cache(async (ctx: Ctx) => withTransaction(ctx, (tx, c) => tx.insert(users).values({})));",
      'export async function sneaky(db: Db) { await db.update(users).set({ disabled: true }); }',
    ].join('\n');
    const found = exportedFunctions('sample.ts', sample).map((f) => f.name);
    expect(found).toEqual(['hidden', 'sneaky']);
    expect(DIRECT_WRITE.test(sample)).toBe(true);
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

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The floors of the house, declared as data: a module may import its own floor and the floors
// below it, never one above. Within a floor, imports may not go round in a circle.
const ROOT = path.resolve(__dirname, '../..');

type Layer = { name: string; members: RegExp[] };

export const LAYERS: Layer[] = [
  {
    // The context and the vocabulary it is made of; the ports' contracts (types only).
    name: 'kernel',
    members: [
      /^lib\/(context|actor|phi|days|canonical|errors|format|lru-map)\.ts$/,
      /^lib\/config\//,
      /^lib\/db\/(schema\/|port\.ts$)/,
      /^lib\/[a-z-]+\/port\.ts$/,
      /^lib\/lake\/tables\.ts$/,
      /^lib\/storage\/object-store\.ts$/,
    ],
  },
  {
    // Ports' adapters and the portal's own infrastructure: database, engines, lake, stores, journal, formats.
    name: 'infrastructure',
    members: [/^lib\/(db|engine|lake|storage|journal|fhir|jobs|keys|signer)\//],
  },
  {
    // What the portal does: authorization and sign-in, saved queries, the patient view, administration.
    name: 'domains',
    members: [/^lib\/(auth|queries|patients|admin|integrity|posture|retention|evidence)\//, /^lib\/health\.ts$/],
  },
  {
    // Entry points: the composition root, the Next.js glue and routes, the command line, the benchmark.
    name: 'entry',
    members: [/^lib\/(boot|web|cli|bench)\//, /^app\//, /^components\//],
  },
];

/** Imports that run against the floors, each with the reason it is allowed (at most six). */
const ALLOWED: Record<string, string> = {};

// Adapters are chosen in one place: only the composition root (and the tools that build their own
// engines: the CLI's lake commands and the benchmark) may import them.
const ADAPTERS = [
  /^lib\/engine\/(duckdb|athena)\//,
  /^lib\/db\/client\.ts$/,
  /^lib\/storage\/(result-store|local-object-store|s3-object-store)\.ts$/,
  /^lib\/signer\/(local-p12|kms)\.ts$/,
  /^lib\/keys\/(local|kms)-master\.ts$/,
  /^lib\/integrity\/(local-lake|aws)\.ts$/,
];
const ADAPTER_USERS = [/^lib\/boot\//, /^lib\/bench\//];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(rel));
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const resolveCache = new Map<string, string | null>();
function resolveModule(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith('@/')) base = spec.slice(2);
  else if (spec.startsWith('.')) base = path.normalize(path.join(path.dirname(from), spec));
  else return null;
  const key = base;
  if (resolveCache.has(key)) return resolveCache.get(key)!;
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')];
  const found = candidates.find((c) => fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile()) ?? null;
  resolveCache.set(key, found);
  return found;
}

/** Every internal module a file imports, type-only imports included (a type is a dependency too). */
export function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      specs.push(node.arguments[0].text);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specs.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs.map((s) => resolveModule(file, s)).filter((f): f is string => f !== null && /\.(ts|tsx)$/.test(f));
}

export function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => layer.members.some((m) => m.test(file)));
}

const SOURCES = [...files('lib'), ...files('app'), ...files('components')];
const GRAPH = new Map(SOURCES.map((f) => [f, importsOf(f)]));

/** Imports from a lower floor to a higher one, as "importer -> imported". */
export function backUpImports(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [file, deps] of graph) {
    for (const dep of deps) if (layerOf(dep) > layerOf(file)) out.push(`${file} -> ${dep}`);
  }
  return out;
}

/** Import circles among modules (strongly connected components of more than one module, or a self-import). */
export function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indexOf.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) connect(v);
  return out;
}

describe('the floors of the house', () => {
  it('puts every module of lib/, app/ and components/ on exactly one floor', () => {
    const unplaced = SOURCES.filter((f) => layerOf(f) < 0);
    expect(unplaced).toEqual([]);
  });

  it('has no import from a lower floor to a higher one beyond the named allowances', () => {
    const offending = backUpImports(GRAPH).filter((arrow) => !(arrow in ALLOWED));
    expect(offending).toEqual([]);
    expect(Object.keys(ALLOWED).length).toBeLessThanOrEqual(6);
    for (const arrow of Object.keys(ALLOWED)) expect(backUpImports(GRAPH), `stale allowance: ${arrow}`).toContain(arrow);
  });

  it('has no import circle', () => {
    expect(circles(GRAPH)).toEqual([]);
  });

  it('imports adapters only from the composition root', () => {
    const offending: string[] = [];
    for (const [file, deps] of GRAPH) {
      if (ADAPTER_USERS.some((u) => u.test(file))) continue;
      for (const dep of deps) {
        const adapter = ADAPTERS.find((a) => a.test(dep));
        if (adapter && !adapter.test(file)) offending.push(`${file} -> ${dep}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('keeps the Next.js glue (lib/web) for routes: only app/ and lib/web itself import it at run time', () => {
    const offending: string[] = [];
    for (const [file, deps] of GRAPH) {
      if (file.startsWith('app/') || file.startsWith('lib/web/') || file.startsWith('components/')) continue;
      for (const dep of deps) if (dep.startsWith('lib/web/')) offending.push(`${file} -> ${dep}`);
    }
    expect(offending).toEqual([]);
  });

  it('calls getServices() only from the composition root and the web and command-line entry glue', () => {
    const offending = SOURCES.filter((f) => /\bgetServices\(\)/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')) && !/^lib\/(boot|web|cli)\//.test(f));
    expect(offending).toEqual([]);
  });

  it('does not branch on an adapter kind outside the composition root', () => {
    const offending = SOURCES.filter((f) => {
      if (f.startsWith('lib/boot/')) return false;
      return /\.(engine|database)\.kind\s*[!=]==/.test(fs.readFileSync(path.join(ROOT, f), 'utf8'));
    });
    expect(offending).toEqual([]);
  });

  it('notices a new back-up import and a new circle (the checks themselves work)', () => {
    const graph = new Map(GRAPH);
    graph.set('lib/lake/scan.ts', [...(graph.get('lib/lake/scan.ts') ?? []), 'lib/queries/registry.ts']);
    expect(backUpImports(graph)).toContain('lib/lake/scan.ts -> lib/queries/registry.ts');
    graph.set('lib/days.ts', ['lib/phi.ts']);
    graph.set('lib/phi.ts', [...(graph.get('lib/phi.ts') ?? []), 'lib/days.ts']);
    expect(circles(graph).some((c) => c.includes('lib/days.ts') && c.includes('lib/phi.ts'))).toBe(true);
  });
});

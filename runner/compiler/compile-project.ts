import { randomUUID } from 'node:crypto';
import { getDialect } from '../dialects/registry.js';
import { Diagnostics } from '../errors/diagnostics.js';
import { MdlError } from '../errors/mdl-error.js';
import { findCycle, formatCycle } from '../graph/find-cycle.js';
import { sha256 } from '../project/project-files.js';
import type { NodeProperties, Project, Target } from '../project/types.js';
import {
  buildSeeds,
  buildSources,
  buildTemplateDrafts,
  columnsOf,
  duplicateError,
} from './build-nodes.js';
import { buildGenericTests, renderGenericTest } from './build-tests.js';
import { CompileCache } from './compile-cache.js';
import type { ParsedTemplate } from './compile-cache.js';
import type { CompileContext, TemplateNodeDraft } from './compile-context.js';
import type { Manifest, ManifestNode, ModelNode, SnapshotNode, TestNode } from './manifest.js';
import { renderParsedFile } from './parse-template.js';
import { RelationValue } from './relation-value.js';
import type { PlaceholderRef } from './relation-value.js';
import { lineInText, refPattern, sourcePattern } from './render-scope.js';
import { didYouMean } from './suggest.js';
import { TemplateEngine } from './template-engine.js';
import type { TemplateTarget } from './template-context.js';

/** Options of {@link compileProject}. */
export interface CompileOptions {
  readonly targetName?: string;
  /** `--vars` (override project.yml vars). Values are never written to artifacts. */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Use/refresh the compile cache in `<target>/.mdl-cache/` (default true). */
  readonly useCache?: boolean;
  /** Environment for `env_var()` (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** false = parse pass only (`mdl parse`): compiledSql is left empty. Default true. */
  readonly renderSql?: boolean;
  /** Called with the parse-pass result of every enabled template file (incremental compile). */
  readonly onParsed?: (filePath: string, parsed: ParsedTemplate) => void;
}

/** Version written to manifest metadata (also part of cache keys). */
export const MDL_VERSION = '0.1.0';
const EPHEMERAL_PREFIX = '__mdl_ephemeral__';

/** The target a compile uses (`--target` or the targets.yml default). */
export function selectTarget(project: Project, targetName: string | undefined): Target {
  const name = targetName ?? project.targets.defaultTarget;
  const t = project.targets.targets[name];
  if (t === undefined)
    throw new MdlError('E_TARGET', `unknown target '${name}'`, {
      file: project.targets.file,
      hint: `use one of: ${Object.keys(project.targets.targets).join(', ')}`,
    });
  return t;
}

/** The `target` template variable of a target: {name, type, schema, catalog}. */
export function templateTargetOf(target: Target): TemplateTarget {
  return {
    name: target.name,
    type: target.type,
    schema: target.schema,
    ...(target.type === 'databricks'
      ? { catalog: target.catalog }
      : target.type === 'duckdb' && target.database !== undefined
        ? { catalog: target.database }
        : {}),
  };
}

/**
 * Compiles a loaded project into a Manifest. Pure apart from the optional cache: two passes —
 * parse (records ref/source/config with placeholders) and render (relation names through the
 * target's dialect, ephemeral CTEs, generic tests). Every problem found is collected and thrown
 * together as one AggregateMdlError.
 */
export async function compileProject(
  project: Project,
  opts: CompileOptions = {},
): Promise<Manifest> {
  await Promise.resolve();
  const target = selectTarget(project, opts.targetName);
  const dialect = getDialect(target.type);
  const diagnostics = new Diagnostics();
  const env = opts.env ?? process.env;
  const cliVars = opts.vars ?? {};
  const templateTarget = templateTargetOf(target);
  const engine = new TemplateEngine(
    {
      projectName: project.name,
      macroFiles: project.macroFiles,
      projectVars: project.vars,
      cliVars,
      env,
      target: templateTarget,
      dialect,
    },
    diagnostics,
  );
  const props = new Map<string, NodeProperties>();
  for (const n of project.properties.nodes) {
    const key = `${n.kind}:${n.name}`;
    const prev = props.get(key);
    if (prev !== undefined)
      diagnostics.add(
        new MdlError(
          'E_DUPLICATE_NODE',
          `${n.kind} '${n.name}' is described twice in YAML (also at ${prev.origin.file}:${prev.origin.line})`,
          { file: n.origin.file, line: n.origin.line, hint: 'keep one properties entry per node' },
        ),
      );
    else props.set(key, n);
  }
  const ctx: CompileContext = { project, target, dialect, engine, diagnostics, env, props };
  const cacheKey = sha256(
    JSON.stringify([
      MDL_VERSION,
      project.name,
      project.vars,
      cliVars,
      templateTarget,
      engine.macrosHash,
    ]),
  );
  const cache =
    opts.useCache === false ? undefined : CompileCache.load(project.targetPath, cacheKey);

  // Parse pass.
  const { drafts, disabled } = buildTemplateDrafts(ctx, cache);
  if (opts.onParsed !== undefined)
    for (const d of drafts) opts.onParsed(d.file.path, d.file.parsed);
  const seeds = buildSeeds(ctx, disabled);
  const sources = buildSources(ctx);
  const refable = new Map<string, string>();
  const fileOf = new Map<string, string>();
  for (const n of [
    ...drafts
      .filter((d) => d.kind !== 'test')
      .map((d) => ({ name: d.name, id: d.uniqueId, file: d.file.path })),
    ...seeds.map((s) => ({ name: s.name, id: s.uniqueId, file: s.originalFilePath })),
  ]) {
    const prev = fileOf.get(n.name);
    if (prev !== undefined) diagnostics.add(duplicateError('node', n.name, prev, n.file));
    else {
      refable.set(n.name, n.id);
      fileOf.set(n.name, n.file);
    }
  }
  const testNames = new Map<string, string>();
  for (const d of drafts.filter((x) => x.kind === 'test')) {
    const prev = testNames.get(d.name);
    if (prev !== undefined) diagnostics.add(duplicateError('test', d.name, prev, d.file.path));
    else testNames.set(d.name, d.file.path);
  }
  const sourceIds = new Map(sources.map((s) => [`${s.sourceName}.${s.name}`, s.uniqueId]));
  const generic = buildGenericTests(ctx, refable, disabled);

  // Dependencies (unknown refs/sources reported with file:line and a suggestion).
  const refId = (p: PlaceholderRef): string | undefined => {
    if (p.kind === 'ref')
      return p.pkg !== undefined && p.pkg !== project.name ? undefined : refable.get(p.name);
    if (p.kind === 'source') return sourceIds.get(`${p.source}.${p.table}`);
    return undefined;
  };
  const deps = new Map<string, string[]>();
  for (const d of drafts) {
    const ids: string[] = [];
    const seen = new Set<string>();
    for (const r of d.file.parsed.refs) {
      const id = refId({
        kind: 'ref',
        ...(r.pkg === undefined ? {} : { pkg: r.pkg }),
        name: r.name,
      });
      if (id === undefined) {
        const key = `ref:${r.pkg ?? ''}:${r.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        diagnostics.add(
          unknownRef(
            r.name,
            r.pkg,
            project.name,
            disabled,
            refable,
            d.file.path,
            lineInText(d.file.content, refPattern(r.name, r.pkg)),
          ),
        );
      } else if (!ids.includes(id)) ids.push(id);
    }
    for (const s of d.file.parsed.sources) {
      const id = sourceIds.get(`${s.source}.${s.table}`);
      if (id === undefined) {
        const key = `src:${s.source}.${s.table}`;
        if (seen.has(key)) continue;
        seen.add(key);
        diagnostics.add(
          new MdlError(
            'E_UNKNOWN_SOURCE',
            `source('${s.source}', '${s.table}') is not declared.${didYouMean(`${s.source}.${s.table}`, sourceIds.keys())}`,
            {
              file: d.file.path,
              line: lineInText(d.file.content, sourcePattern(s.source, s.table)),
              node: d.uniqueId,
              hint: 'declare it under sources: in a YAML file next to the models (name, schema, tables)',
            },
          ),
        );
      } else if (!ids.includes(id)) ids.push(id);
    }
    deps.set(d.uniqueId, ids);
  }
  const testToIds = new Map<string, string | undefined>();
  for (const g of generic) {
    if (g.to === undefined) continue;
    const id = refId(g.to);
    testToIds.set(g.uniqueId, id);
    if (id === undefined) {
      const what =
        g.to.kind === 'ref'
          ? `ref('${g.to.name}')`
          : g.to.kind === 'source'
            ? `source('${g.to.source}', '${g.to.table}')`
            : 'this';
      diagnostics.add(
        new MdlError(
          g.to.kind === 'source' ? 'E_UNKNOWN_SOURCE' : 'E_UNKNOWN_REF',
          `relationships test '${g.name}' points to ${what}, which does not exist.${g.to.kind === 'ref' ? didYouMean(g.to.name, refable.keys()) : ''}`,
          {
            file: g.decl.origin.file,
            line: g.decl.origin.line,
            hint: 'fix `to:` to name an existing model, seed or source',
          },
        ),
      );
    }
  }

  // Cycles (fatal: the render pass needs a DAG for ephemeral CTEs).
  const parentMap: Record<string, readonly string[]> = {};
  for (const [id, ps] of deps) parentMap[id] = ps;
  const cycle = findCycle(parentMap);
  if (cycle !== undefined) {
    const byId = new Map(drafts.map((d) => [d.uniqueId, d]));
    const second = byId.get(cycle[1] ?? '');
    const nameOf = (id: string): string => byId.get(id)?.name ?? id;
    const refLine =
      second === undefined ? 1 : lineInText(second.file.content, refPattern(nameOf(cycle[0]!)));
    diagnostics.add(
      new MdlError('E_CYCLE', `dependency cycle: ${formatCycle(cycle.map(nameOf))}`, {
        ...(second === undefined ? {} : { file: second.file.path, line: refLine }),
        hint: 'remove one of the ref() calls in the cycle',
      }),
    );
  }
  diagnostics.throwIfAny('compile failed');

  // Render pass.
  const renderSql = opts.renderSql !== false;
  const relationOf = new Map<string, RelationValue>();
  const draftById = new Map(drafts.map((d) => [d.uniqueId, d]));
  for (const d of drafts)
    relationOf.set(
      d.uniqueId,
      new RelationValue(
        d.relation,
        d.kind !== 'test' && d.config.materialized === 'ephemeral'
          ? `${EPHEMERAL_PREFIX}${d.name}`
          : dialect.relation(d.relation),
      ),
    );
  for (const n of [...seeds, ...sources])
    relationOf.set(n.uniqueId, new RelationValue(n.relation, dialect.relation(n.relation)));
  const resolverFor =
    (self: TemplateNodeDraft | undefined) =>
    (p: PlaceholderRef): RelationValue | undefined => {
      if (p.kind === 'this') return self === undefined ? undefined : relationOf.get(self.uniqueId);
      const id = refId(p);
      return id === undefined ? undefined : relationOf.get(id);
    };
  const nodes = new Map<string, ManifestNode>();
  for (const d of drafts)
    nodes.set(
      d.uniqueId,
      renderDraft(ctx, d, deps.get(d.uniqueId) ?? [], resolverFor(d), renderSql),
    );
  for (const n of [...seeds, ...sources]) nodes.set(n.uniqueId, n);
  for (const g of generic) {
    const toId = testToIds.get(g.uniqueId);
    nodes.set(g.uniqueId, renderGenericTest(ctx, g, resolverFor(undefined), toId, renderSql));
  }
  addCtes(nodes, draftById);
  diagnostics.throwIfAny('compile failed');
  cache?.save();
  return assembleManifest(project, target, engine, nodes);
}

function unknownRef(
  name: string,
  pkg: string | undefined,
  project: string,
  disabled: ReadonlyMap<string, string>,
  refable: ReadonlyMap<string, string>,
  file: string,
  line: number,
): MdlError {
  if (pkg !== undefined && pkg !== project)
    return new MdlError(
      'E_UNKNOWN_REF',
      `ref('${pkg}', '${name}'): package '${pkg}' is not part of this project`,
      {
        file,
        line,
        hint: `refer to models of this project as ref('${name}') or ref('${project}', '${name}')`,
      },
    );
  const off = disabled.get(name);
  if (off !== undefined)
    return new MdlError('E_UNKNOWN_REF', `ref('${name}') points to a disabled node (${off})`, {
      file,
      line,
      hint: 'enable it (enabled: true) or remove the ref',
    });
  return new MdlError(
    'E_UNKNOWN_REF',
    `ref('${name}'): no model, seed or snapshot named '${name}'.${didYouMean(name, refable.keys())}`,
    { file, line, hint: 'check the spelling, or create the model file' },
  );
}

function renderDraft(
  ctx: CompileContext,
  d: TemplateNodeDraft,
  dependsOn: readonly string[],
  resolve: (p: PlaceholderRef) => RelationValue | undefined,
  renderSql: boolean,
): ManifestNode {
  const r = renderSql ? renderParsedFile(ctx.engine, d.file, resolve) : { sql: '', problems: [] };
  for (const p of r.problems) ctx.diagnostics.add(p);
  const base = {
    uniqueId: d.uniqueId,
    name: d.name,
    packageName: ctx.project.name,
    fqn: d.fqn,
    originalFilePath: d.file.path,
    line: 1,
    description: d.props?.description ?? '',
    tags: d.config.tags,
    meta: d.config.meta,
    config: d.config,
    dependsOn: { nodes: dependsOn, macros: d.file.parsed.macros },
    columns: columnsOf(d.props),
    checksum: sha256(`${d.fileHash}\u0000${JSON.stringify(d.config)}`),
    relation: d.relation,
    rawSql: d.file.content,
    compiledSql: r.sql.trim(),
    ctes: [],
  };
  switch (d.kind) {
    case 'model': {
      const inc =
        'incrementalSql' in r &&
        r.incrementalSql !== undefined &&
        d.config.materialized === 'incremental'
          ? { incrementalSql: r.incrementalSql.trim() }
          : {};
      const node: ModelNode = { ...base, resourceType: 'model', ...inc };
      return node;
    }
    case 'snapshot': {
      const node: SnapshotNode = { ...base, resourceType: 'snapshot' };
      return node;
    }
    case 'test': {
      const node: TestNode = { ...base, resourceType: 'test' };
      return node;
    }
  }
}

/** Fills `ctes` of every node that reads ephemeral models (transitively, dependency order). */
function addCtes(
  nodes: Map<string, ManifestNode>,
  drafts: ReadonlyMap<string, TemplateNodeDraft>,
): void {
  const memo = new Map<string, { id: string; name: string; sql: string }[]>();
  const isEphemeral = (id: string): boolean => drafts.get(id)?.config.materialized === 'ephemeral';
  const ctesOf = (id: string): { id: string; name: string; sql: string }[] => {
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    const out: { id: string; name: string; sql: string }[] = [];
    const node = nodes.get(id);
    for (const p of node?.dependsOn.nodes ?? []) {
      if (!isEphemeral(p)) continue;
      for (const c of [...ctesOf(p), cteFor(p)]) if (!out.some((o) => o.id === c.id)) out.push(c);
    }
    memo.set(id, out);
    return out;
  };
  const cteFor = (id: string): { id: string; name: string; sql: string } => {
    const n = nodes.get(id)!;
    return {
      id,
      name: `${EPHEMERAL_PREFIX}${n.name}`,
      sql: 'compiledSql' in n ? n.compiledSql : '',
    };
  };
  for (const [id, n] of nodes) {
    if (n.resourceType !== 'model' && n.resourceType !== 'snapshot' && n.resourceType !== 'test')
      continue;
    if (!n.dependsOn.nodes.some(isEphemeral)) continue;
    nodes.set(id, { ...n, ctes: ctesOf(id) });
  }
}

function assembleManifest(
  project: Project,
  target: Target,
  engine: TemplateEngine,
  nodes: Map<string, ManifestNode>,
): Manifest {
  const ids = [...nodes.keys()].sort();
  const sorted: Record<string, ManifestNode> = {};
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const id of ids) {
    sorted[id] = nodes.get(id)!;
    parentMap[id] = [...nodes.get(id)!.dependsOn.nodes];
    childMap[id] = [];
  }
  for (const id of ids) for (const p of parentMap[id]!) childMap[p]?.push(id);
  const macros = Object.fromEntries(engine.macros.map((m) => [m.uniqueId, m]));
  return {
    metadata: {
      mdlVersion: MDL_VERSION,
      projectName: project.name,
      generatedAt: new Date().toISOString(),
      target: target.name,
      targetType: target.type,
      invocationId: randomUUID(),
    },
    nodes: sorted,
    macros,
    childMap,
    parentMap,
  };
}

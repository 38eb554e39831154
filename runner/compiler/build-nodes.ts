import { MdlError } from '../errors/mdl-error.js';
import type { ErrorLocation } from '../errors/mdl-error.js';
import { folderConfigFor, mergeConfig } from '../project/folder-config.js';
import type { FolderConfig, NodeProperties, ProjectFile } from '../project/types.js';
import type { CompileCache } from './compile-cache.js';
import { baseConfig, foldersOf, relationFor, stemOf } from './compile-context.js';
import type { CompileContext, TemplateNodeDraft } from './compile-context.js';
import type { ColumnInfo, Materialization, NodeConfig, SeedNode, SourceNode } from './manifest.js';
import { parseTemplateFile } from './parse-template.js';
import { postProcessConfig } from './post-process-config.js';
import { preNormalizeQuarantine } from '../quarantine/normalize.js';
import { newScope } from './render-scope.js';

/**
 * Merged config of a node with dbt precedence: defaults < project.yml folder config < YAML
 * properties (`config:` and `meta:`) < in-file `config()`. Quarantine expressions are rendered
 * through Nunjucks (so macros and var() work) before validation.
 */
export function resolveConfig(
  ctx: CompileContext,
  opts: {
    readonly materialized: Materialization;
    readonly tree: FolderConfig;
    readonly folders: readonly string[];
    readonly name: string;
    readonly props?: {
      readonly config: Readonly<Record<string, unknown>>;
      readonly meta: Readonly<Record<string, unknown>>;
    };
    readonly inFile?: Readonly<Record<string, unknown>>;
    readonly where: ErrorLocation;
  },
): NodeConfig {
  let merged = mergeConfig(
    baseConfig(opts.materialized),
    folderConfigFor(opts.tree, opts.folders, opts.name),
  );
  if (opts.props !== undefined) {
    merged = mergeConfig(merged, opts.props.config);
    if (Object.keys(opts.props.meta).length > 0)
      merged = mergeConfig(merged, { meta: opts.props.meta });
  }
  if (opts.inFile !== undefined) merged = mergeConfig(merged, opts.inFile);
  if (merged.quarantine !== undefined)
    merged.quarantine = renderStrings(
      ctx,
      preNormalizeQuarantine(merged.quarantine, opts.where),
      opts.where,
    );
  return postProcessConfig(merged as NodeConfig, opts.where, ctx.diagnostics);
}

/** Renders every templated string inside a config value (used for `quarantine:` rules). */
function renderStrings(ctx: CompileContext, v: unknown, where: ErrorLocation): unknown {
  if (typeof v === 'string') {
    if (!v.includes('{{') && !v.includes('{%')) return v;
    const file = where.file ?? 'config';
    const compiled = ctx.engine.compile(file, v, (where.line ?? 1) - 1);
    if (!('kind' in compiled)) {
      ctx.diagnostics.add(compiled);
      return v;
    }
    const scope = newScope(file, v, {
      lineOffset: (where.line ?? 1) - 1,
      resolve: () => undefined,
    });
    const out = ctx.engine.render(compiled, scope);
    for (const p of scope.problems) ctx.diagnostics.add(p);
    return out;
  }
  if (Array.isArray(v)) return v.map((x) => renderStrings(ctx, x, where));
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderStrings(ctx, x, where)]));
  return v;
}

/**
 * Parse pass over every SQL template (models, snapshots, singular tests): records refs, sources
 * and config, merges config and computes relation names. Disabled nodes are returned by name so
 * refs to them get a clear message.
 */
export function buildTemplateDrafts(
  ctx: CompileContext,
  cache: CompileCache | undefined,
): { drafts: TemplateNodeDraft[]; disabled: Map<string, string> } {
  const { project } = ctx;
  const drafts: TemplateNodeDraft[] = [];
  const disabled = new Map<string, string>();
  const groups: {
    kind: TemplateNodeDraft['kind'];
    files: readonly ProjectFile[];
    roots: readonly string[];
    tree: FolderConfig;
    mat: Materialization;
  }[] = [
    {
      kind: 'model',
      files: project.modelFiles,
      roots: project.modelPaths,
      tree: project.modelConfig,
      mat: 'view',
    },
    {
      kind: 'snapshot',
      files: project.snapshotFiles,
      roots: project.snapshotPaths,
      tree: project.snapshotConfig,
      mat: 'snapshot',
    },
    {
      kind: 'test',
      files: project.testFiles,
      roots: project.testPaths,
      tree: project.testConfig,
      mat: 'test',
    },
  ];
  for (const g of groups) {
    for (const f of g.files) {
      const res = parseTemplateFile(ctx.engine, f, cache, ctx.env);
      for (const p of res.problems) ctx.diagnostics.add(p);
      if (res.file === undefined) continue;
      const name = stemOf(f.path);
      const folders = foldersOf(f.path, g.roots);
      const props =
        g.kind === 'test'
          ? undefined
          : (ctx.props.get(`${g.kind}:${name}`) ??
            (g.kind === 'model' ? ctx.props.get(`snapshot:${name}`) : undefined));
      const idKind = g.kind === 'test' ? 'test' : 'model';
      const where = { file: f.path, line: 1, node: `${idKind}.${project.name}.${name}` };
      let config = resolveConfig(ctx, {
        materialized: g.mat,
        tree: g.tree,
        folders,
        name,
        ...(props === undefined ? {} : { props }),
        inFile: res.file.parsed.config,
        where,
      });
      if (g.kind === 'test')
        config = { ...config, materialized: 'test', severity: config.severity ?? 'error' };
      if (!config.enabled) {
        disabled.set(name, f.path);
        continue;
      }
      const kind = g.kind === 'model' && config.materialized === 'snapshot' ? 'snapshot' : g.kind;
      if (kind === 'snapshot' && config.materialized !== 'snapshot')
        config = { ...config, materialized: 'snapshot' };
      drafts.push({
        kind,
        uniqueId: `${kind}.${project.name}.${name}`,
        name,
        file: res.file,
        fileHash: f.hash,
        fqn: [project.name, ...folders, name],
        config,
        relation:
          kind === 'test' ? testRelation(ctx, config, name) : relationFor(ctx, config, name),
        ...(props === undefined ? {} : { props }),
      });
    }
  }
  return { drafts, disabled };
}

/** Where a test stores failures (`store_failures`): `<target schema>_mdl_test__audit.<name>`. */
export function testRelation(
  ctx: CompileContext,
  config: NodeConfig,
  name: string,
): ReturnType<typeof relationFor> {
  return relationFor(
    ctx,
    { ...config, schema: config.schema ?? `${ctx.target.schema}_mdl_test__audit` },
    name,
  );
}

/** Column infos from YAML properties. */
export function columnsOf(
  props:
    | {
        readonly columns: readonly {
          readonly name: string;
          readonly description: string;
          readonly dataType?: string;
          readonly meta: Readonly<Record<string, unknown>>;
          readonly tags: readonly string[];
        }[];
      }
    | undefined,
): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  for (const c of props?.columns ?? [])
    out[c.name] = {
      name: c.name,
      description: c.description,
      ...(c.dataType === undefined ? {} : { dataType: c.dataType }),
      meta: c.meta,
      tags: c.tags,
    };
  return out;
}

/** Seed nodes from the CSV files (content is read at run time, not here). */
export function buildSeeds(ctx: CompileContext, disabled: Map<string, string>): SeedNode[] {
  const { project } = ctx;
  const out: SeedNode[] = [];
  for (const f of project.seedFiles) {
    const name = stemOf(f.path);
    const folders = foldersOf(f.path, project.seedPaths);
    const props: NodeProperties | undefined = ctx.props.get(`seed:${name}`);
    const uniqueId = `seed.${project.name}.${name}`;
    const config = resolveConfig(ctx, {
      materialized: 'seed',
      tree: project.seedConfig,
      folders,
      name,
      ...(props === undefined ? {} : { props }),
      where: { file: f.path, node: uniqueId },
    });
    if (!config.enabled) {
      disabled.set(name, f.path);
      continue;
    }
    out.push({
      resourceType: 'seed',
      uniqueId,
      name,
      packageName: project.name,
      fqn: [project.name, ...folders, name],
      originalFilePath: f.path,
      line: 1,
      description: props?.description ?? '',
      tags: config.tags,
      meta: config.meta,
      config: { ...config, materialized: 'seed' },
      dependsOn: { nodes: [], macros: [] },
      columns: columnsOf(props),
      checksum: f.hash,
      relation: relationFor(ctx, config, name),
      seedPath: f.path,
    });
  }
  return out;
}

/** Source nodes, one per declared table. */
export function buildSources(ctx: CompileContext): SourceNode[] {
  const { project } = ctx;
  const out: SourceNode[] = [];
  for (const s of project.properties.sources) {
    const folders = foldersOf(s.origin.file, [
      ...project.modelPaths,
      ...project.seedPaths,
      ...project.snapshotPaths,
    ]);
    for (const t of s.tables) {
      const uniqueId = `source.${project.name}.${s.name}.${t.name}`;
      const config = postProcessConfig(
        { ...baseConfig('view'), ...t.config, meta: { ...s.meta, ...t.meta } } as NodeConfig,
        { file: t.origin.file, line: t.origin.line, node: uniqueId },
        ctx.diagnostics,
      );
      const catalog = ctx.dialect.capabilities.catalogs
        ? (s.catalog ??
          (ctx.target.type === 'databricks'
            ? ctx.target.catalog
            : ctx.target.type === 'duckdb'
              ? ctx.target.database
              : undefined))
        : undefined;
      out.push({
        resourceType: 'source',
        uniqueId,
        name: t.name,
        packageName: project.name,
        fqn: [project.name, ...folders, s.name, t.name],
        originalFilePath: t.origin.file,
        line: t.origin.line,
        description: t.description,
        tags: config.tags,
        meta: config.meta,
        config,
        dependsOn: { nodes: [], macros: [] },
        columns: columnsOf(t),
        checksum: '',
        sourceName: s.name,
        relation: {
          ...(catalog === undefined ? {} : { catalog }),
          schema: s.schema,
          identifier: t.identifier ?? t.name,
        },
        ...(t.external === undefined ? {} : { external: t.external }),
      });
    }
  }
  return out;
}

/** E_DUPLICATE_NODE naming both files. */
export function duplicateError(
  kind: string,
  name: string,
  first: string,
  second: string,
): MdlError {
  return new MdlError(
    'E_DUPLICATE_NODE',
    `two ${kind}s are named '${name}': ${first} and ${second}`,
    {
      file: second,
      line: 1,
      hint: 'node names must be unique across models, seeds and snapshots: rename one file (or set `alias` for the relation name)',
    },
  );
}

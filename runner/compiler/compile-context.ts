import type { Dialect } from '../dialects/dialect.js';
import type { Diagnostics } from '../errors/diagnostics.js';
import type { NodeProperties, Project, Target } from '../project/types.js';
import type { ManifestNode, Materialization, NodeConfig, RelationName } from './manifest.js';
import type { ParsedFile } from './parse-template.js';
import type { TemplateEngine } from './template-engine.js';

/** Shared state of one compile (built once, read by the stages). */
export interface CompileContext {
  readonly project: Project;
  readonly target: Target;
  readonly dialect: Dialect;
  readonly engine: TemplateEngine;
  readonly diagnostics: Diagnostics;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** YAML properties by `<kind>:<name>`. */
  readonly props: ReadonlyMap<string, NodeProperties>;
}

/** A node built from a SQL template (model, snapshot or singular test), before rendering. */
export interface TemplateNodeDraft {
  readonly kind: 'model' | 'snapshot' | 'test';
  readonly uniqueId: string;
  readonly name: string;
  readonly file: ParsedFile;
  readonly fileHash: string;
  readonly fqn: readonly string[];
  readonly config: NodeConfig;
  readonly relation: RelationName;
  readonly props?: NodeProperties;
}

/** Nodes by unique id while compiling. */
export type NodeTable = Map<string, ManifestNode>;

/** Catalog used when a node does not set one: the target's (DuckDB `database`, Databricks `catalog`). */
export function targetCatalog(target: Target): string | undefined {
  switch (target.type) {
    case 'duckdb':
      return target.database;
    case 'databricks':
      return target.catalog;
    case 'spark':
      return undefined;
  }
}

/**
 * Where a node lives: config `schema` used as is (not prefixed with the target schema — a
 * documented difference from dbt's default), else the target schema; catalog only on engines
 * with catalogs; identifier = alias or name.
 */
export function relationFor(ctx: CompileContext, config: NodeConfig, name: string): RelationName {
  const catalog = ctx.dialect.capabilities.catalogs
    ? (config.catalog ?? targetCatalog(ctx.target))
    : undefined;
  return {
    ...(catalog === undefined ? {} : { catalog }),
    schema: config.schema ?? ctx.target.schema,
    identifier: config.alias ?? name,
  };
}

/** Defaults under every merged config. */
export function baseConfig(materialized: Materialization): Record<string, unknown> {
  return { materialized, enabled: true, tags: [], meta: {} };
}

/** Folders of `file` below whichever of `roots` contains it. */
export function foldersOf(file: string, roots: readonly string[]): string[] {
  for (const r of roots) {
    const prefix = r === '' || r === '.' ? '' : `${r}/`;
    if (file.startsWith(prefix)) return file.slice(prefix.length).split('/').slice(0, -1);
  }
  return file.split('/').slice(0, -1);
}

/** File name without folder and extension. */
export function stemOf(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? base : base.slice(0, dot);
}

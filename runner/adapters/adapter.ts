import type { RelationName, SourceNode } from '../compiler/manifest.js';
import type { Connection, ConnectionPool } from '../connections/connection.js';
import type { ColumnDef, Dialect } from '../dialects/dialect.js';
import type { RelationState } from '../materializations/strategy.js';
import type { Target } from '../project/types.js';

/** A relation left behind by an interrupted run (`<identifier>__mdl_<suffix>_<runId>`). */
export interface StaleTempRelation {
  readonly relation: RelationName;
  readonly kind: 'table' | 'view';
}

/** What one introspection query found, keyed by {@link relationKey}. */
export interface Introspection {
  readonly relations: ReadonlyMap<string, RelationState>;
  /** Temporary relations of earlier runs, keyed by the owning relation's key. */
  readonly staleTemps: ReadonlyMap<string, readonly StaleTempRelation[]>;
  /** `catalog.schema` keys (lower case; catalog '' when default) of the schemas that exist. */
  readonly schemas: ReadonlySet<string>;
}

/** Result of creating the views over external (bronze) sources. */
export interface ExternalSourceOutcome {
  readonly uniqueId: string;
  readonly ok: boolean;
  /** Why the view could not be created (no files yet, unreadable files); no data values. */
  readonly message?: string;
}

/**
 * An adapter = dialect (pure SQL text) + connection pool (one session per scheduler thread) +
 * introspection. Everything the executor needs from an engine goes through it.
 */
export interface Adapter {
  readonly dialect: Dialect;
  readonly target: Target;
  readonly pool: ConnectionPool;
  /** ONE query for all given relations (and the schemas they live in). */
  introspect(relations: readonly RelationName[]): Promise<Introspection>;
  /** Columns (name + engine type) a SELECT would produce, without running it. */
  describeSelect(conn: Connection, selectSql: string): Promise<readonly ColumnDef[]>;
  /** Creates the schemas that do not exist yet (once per run). */
  ensureSchemas(
    schemas: readonly { readonly catalog?: string; readonly schema: string }[],
    known: Introspection,
  ): Promise<void>;
  /** Creates or replaces one view per external source (paths resolved against `projectDir`). */
  createExternalSources(
    sources: readonly SourceNode[],
    projectDir: string,
  ): Promise<readonly ExternalSourceOutcome[]>;
  /** Engine/version facts for `mdl debug` (never secrets). */
  describeEngine(conn: Connection): Promise<Readonly<Record<string, string>>>;
  close(): Promise<void>;
}

/** Case-insensitive map key of a relation: `catalog.schema.identifier` (catalog '' when default). */
export function relationKey(rel: RelationName): string {
  return `${rel.catalog ?? ''}.${rel.schema}.${rel.identifier}`.toLowerCase();
}

/** Map key of a schema, see {@link Introspection.schemas}. */
export function schemaKey(catalog: string | undefined, schema: string): string {
  return `${catalog ?? ''}.${schema}`.toLowerCase();
}

/** Marker inside temporary relation names (see `tempRelation`). */
export const TEMP_MARKER = '__mdl_';

/** The state of a relation that introspection did not find. */
export const MISSING_RELATION: RelationState = { exists: false, columns: [] };

/**
 * Creates the schemas a run needs that introspection did not find, on one pooled connection
 * (shared by every adapter: only the dialect's statement differs).
 */
export async function createMissingSchemas(
  adapter: Pick<Adapter, 'pool' | 'dialect'>,
  schemas: readonly { readonly catalog?: string; readonly schema: string }[],
  known: Introspection,
): Promise<void> {
  const todo = new Map<string, { readonly catalog?: string; readonly schema: string }>();
  for (const s of schemas) {
    const key = schemaKey(s.catalog, s.schema);
    if (!known.schemas.has(key)) todo.set(key, s);
  }
  if (todo.size === 0) return;
  const conn = await adapter.pool.acquire();
  try {
    for (const s of todo.values())
      await conn.execute(adapter.dialect.createSchemaIfNotExists(s.catalog, s.schema));
  } finally {
    adapter.pool.release(conn);
  }
}

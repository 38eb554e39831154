import fs from 'node:fs';
import path from 'node:path';
import type { RelationName, SourceNode } from '../compiler/manifest.js';
import type { Connection } from '../connections/connection.js';
import { SparkConnection, type SparkConnectOptions } from '../connections/spark-connection.js';
import type { ColumnDef } from '../dialects/dialect.js';
import { externalRoot, sparkDialect } from '../dialects/spark-dialect.js';
import { MdlError } from '../errors/mdl-error.js';
import type { ConfigValue, SparkTarget } from '../project/types.js';
import {
  schemaKey,
  createMissingSchemas,
  type Adapter,
  type ExternalSourceOutcome,
  type Introspection,
} from './adapter.js';
import { cellText, columnsFromDescribe, introspectSpark } from './spark-introspect.js';
import { SessionPool } from './session-pool.js';

/** Resolves a target value that may be a `secret('…')` reference (done when a connection opens). */
export type ConfigResolver = (value: ConfigValue, field: string) => Promise<string>;

/** Default resolver: plain values pass; secrets need a provider (Key Vault) wired by the caller. */
export const plainResolver: ConfigResolver = (value, field) => {
  if (typeof value === 'object') {
    return Promise.reject(
      new MdlError(
        'E_SECRET',
        `target field '${field}' is secret('${value.secret}') but no secret provider is configured`,
        {
          hint: 'configure the Key Vault secret provider, or use env_var(...) for local runs',
        },
      ),
    );
  }
  return Promise.resolve(String(value));
};

/** Connection settings for a Spark target, with secrets resolved. */
export async function sparkConnectOptions(
  target: SparkTarget,
  resolve: ConfigResolver,
): Promise<SparkConnectOptions> {
  const host = await resolve(target.host, 'host');
  const user = target.user === undefined ? undefined : await resolve(target.user, 'user');
  const password =
    target.password === undefined ? undefined : await resolve(target.password, 'password');
  return {
    host,
    port: target.port,
    transport: target.transport,
    auth: target.auth,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    ...(target.httpPath === undefined ? {} : { httpPath: target.httpPath }),
    targetName: target.name,
  };
}

/** True when a directory (recursively) holds at least one file with the format's extension. */
function hasDataFiles(dir: string, fileFormat: string): boolean {
  if (!fs.existsSync(dir)) return false;
  if (fs.statSync(dir).isFile()) return true;
  const ext = `.${fileFormat}`;
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .some((e) => e.endsWith(ext) || (fileFormat === 'delta' && e.endsWith('_delta_log')));
}

/** Shared by the Spark and Databricks adapters: engine statements that do not depend on auth. */
export abstract class SparkFamilyAdapter implements Adapter {
  abstract readonly dialect: Adapter['dialect'];
  abstract readonly target: Adapter['target'];
  abstract readonly pool: SessionPool;
  /** Catalog used for SHOW SCHEMAS (Databricks); undefined on Spark. */
  protected abstract readonly catalog: string | undefined;

  async introspect(relations: readonly RelationName[]): Promise<Introspection> {
    const conn = await this.pool.acquire();
    try {
      return await introspectSpark(conn, this.dialect, relations, this.catalog);
    } finally {
      this.pool.release(conn);
    }
  }

  async describeSelect(conn: Connection, selectSql: string): Promise<readonly ColumnDef[]> {
    return columnsFromDescribe(await conn.query(`DESCRIBE QUERY ${selectSql}`));
  }

  ensureSchemas(
    schemas: readonly { readonly catalog?: string; readonly schema: string }[],
    known: Introspection,
  ): Promise<void> {
    return createMissingSchemas(this, schemas, known);
  }

  /** Resolves a source location for the engine; local paths are checked for data files first. */
  protected locate(
    location: string,
    projectDir: string,
  ): { readonly path: string; readonly local: boolean } {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return { path: location, local: false };
    const abs = path.isAbsolute(location) ? location : path.join(projectDir, location);
    return { path: abs.split(path.sep).join('/'), local: true };
  }

  async createExternalSources(
    sources: readonly SourceNode[],
    projectDir: string,
  ): Promise<readonly ExternalSourceOutcome[]> {
    const external = sources.filter((s) => s.external !== undefined);
    if (external.length === 0) return [];
    const out: ExternalSourceOutcome[] = [];
    const conn = await this.pool.acquire();
    try {
      const schemas = new Map<string, RelationName>();
      for (const s of external)
        schemas.set(schemaKey(s.relation.catalog, s.relation.schema), s.relation);
      for (const rel of schemas.values())
        await conn.execute(this.dialect.createSchemaIfNotExists(rel.catalog, rel.schema));
      for (const s of external) {
        const ext = s.external!;
        const loc = this.locate(ext.location, projectDir);
        if (loc.local && !hasDataFiles(externalRoot(loc.path), ext.fileFormat)) {
          out.push({
            uniqueId: s.uniqueId,
            ok: false,
            message: `no files match ${ext.location} yet (run \`mdl ingest\` first)`,
          });
          continue;
        }
        try {
          await conn.execute(
            this.dialect.createExternalSourceView(s.relation, loc.path, ext.fileFormat),
          );
          out.push({ uniqueId: s.uniqueId, ok: true });
        } catch (err) {
          out.push({
            uniqueId: s.uniqueId,
            ok: false,
            message: err instanceof Error ? err.message : String(err),
          });
        }
      }
    } finally {
      this.pool.release(conn);
    }
    return out;
  }

  abstract describeEngine(conn: Connection): Promise<Readonly<Record<string, string>>>;

  async close(): Promise<void> {
    await this.pool.close();
  }
}

class SparkAdapter extends SparkFamilyAdapter {
  readonly dialect = sparkDialect;
  protected readonly catalog = undefined;

  constructor(
    readonly target: SparkTarget,
    readonly pool: SessionPool,
    private readonly options: SparkConnectOptions,
  ) {
    super();
  }

  async describeEngine(conn: Connection): Promise<Readonly<Record<string, string>>> {
    const rows = await conn.query('SELECT version() AS version, current_database() AS db');
    const ansi = await conn.query('SET spark.sql.ansi.enabled');
    const r = rows[0] ?? {};
    return {
      engine: 'spark',
      version: cellText(r.version).split(' ')[0] ?? '',
      endpoint: `${this.options.host}:${this.options.port}`,
      transport: this.options.transport,
      auth: this.options.auth,
      current_schema: cellText(r.db),
      ansi: cellText(ansi[0]?.value) || 'unknown',
    };
  }
}

/** Opens a pool of up to `threads` sessions on the target's Spark Thrift Server (one is opened now, to fail fast). */
export async function createSparkAdapter(
  target: SparkTarget,
  threads = target.threads,
  resolve: ConfigResolver = plainResolver,
): Promise<Adapter> {
  if (threads < 1) throw new MdlError('E_USAGE', `--threads must be at least 1 (got ${threads})`);
  const options = await sparkConnectOptions(target, resolve);
  const pool = new SessionPool(() => SparkConnection.open(options), threads);
  const first = await pool.acquire();
  pool.release(first);
  return new SparkAdapter(target, pool, options);
}

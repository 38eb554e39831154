import type { ExecutableNode, RelationName } from '../compiler/manifest.js';
import type { Connection } from '../connections/connection.js';
import {
  azureAdTokenSource,
  azureClientSecretCredential,
  databricksM2mTokenSource,
} from '../connections/databricks-auth.js';
import {
  DatabricksConnection,
  type DatabricksAuth,
  type DatabricksConnectOptions,
} from '../connections/databricks-connection.js';
import { databricksDialect } from '../dialects/databricks-dialect.js';
import {
  governanceConfig,
  governanceSteps,
  grantsFromShowRows,
  type GovernanceStep,
} from '../dialects/databricks-governance.js';
import { MdlError } from '../errors/mdl-error.js';
import type { DatabricksTarget } from '../project/types.js';
import type { Adapter, Introspection } from './adapter.js';
import { plainResolver, SparkFamilyAdapter, type ConfigResolver } from './spark-adapter.js';
import { cellText } from './spark-introspect.js';
import { SessionPool } from './session-pool.js';

/** Connection settings for a Databricks target, with secrets resolved (never logged). */
export async function databricksConnectOptions(
  target: DatabricksTarget,
  resolve: ConfigResolver,
  runId?: string,
): Promise<DatabricksConnectOptions> {
  const host = (await resolve(target.host, 'host')).replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const httpPath = await resolve(target.httpPath, 'http_path');
  const need = async (v: DatabricksTarget['token'], field: string): Promise<string> => {
    if (v === undefined) {
      throw new MdlError(
        'E_TARGET',
        `target '${target.name}' (auth ${target.auth}) needs '${field}'`,
        {
          file: 'configs/targets.yml',
          hint: `add ${field}: "{{ env_var('…') }}" or secret('…') to the target`,
        },
      );
    }
    return resolve(v, field);
  };
  let auth: DatabricksAuth;
  switch (target.auth) {
    case 'pat':
      auth = { kind: 'pat', token: await need(target.token, 'token') };
      break;
    case 'oauth-m2m':
      auth = {
        kind: 'oauth-m2m',
        getToken: databricksM2mTokenSource({
          host,
          clientId: await need(target.clientId, 'client_id'),
          clientSecret: await need(target.clientSecret, 'client_secret'),
        }),
      };
      break;
    case 'azure-ad': {
      const credential = await azureClientSecretCredential(
        await need(target.tenantId, 'tenant_id'),
        await need(target.clientId, 'client_id'),
        await need(target.clientSecret, 'client_secret'),
      );
      auth = { kind: 'azure-ad', getToken: azureAdTokenSource(credential) };
      break;
    }
  }
  return {
    host,
    httpPath,
    auth,
    catalog: target.catalog,
    schema: target.schema,
    ...(runId === undefined ? {} : { runId }),
    targetName: target.name,
  };
}

/** Databricks SQL warehouse adapter (Unity Catalog). */
export class DatabricksAdapter extends SparkFamilyAdapter {
  readonly dialect = databricksDialect;
  protected readonly catalog: string;

  constructor(
    readonly target: DatabricksTarget,
    readonly pool: SessionPool,
    private readonly options: DatabricksConnectOptions,
  ) {
    super();
    this.catalog = target.catalog;
  }

  override async ensureSchemas(
    schemas: readonly { readonly catalog?: string; readonly schema: string }[],
    known: Introspection,
  ): Promise<void> {
    if (this.target.createCatalogs) {
      const catalogs = new Set(schemas.map((s) => s.catalog ?? this.catalog));
      const conn = await this.pool.acquire();
      try {
        for (const c of catalogs) await conn.execute(this.dialect.createCatalogIfNotExists(c));
      } finally {
        this.pool.release(conn);
      }
    }
    await super.ensureSchemas(schemas, known);
  }

  /**
   * Grants, PHI column masks, row filter and tags for a node's relation, applied after every build
   * (a rebuild may drop them). Current grants are read with SHOW GRANTS and only the difference is
   * granted / revoked. Returns the statements run (labels only in logs).
   */
  async applyGovernance(
    conn: Connection,
    node: ExecutableNode & { readonly relation: RelationName },
    kind: 'table' | 'view',
  ): Promise<readonly GovernanceStep[]> {
    const cfg = governanceConfig(node.uniqueId, node.config, node.columns);
    const needsColumns = kind === 'table' && cfg.phiColumns.length > 0;
    const columnTypes: Record<string, string> = {};
    if (needsColumns) {
      for (const c of await this.describeSelect(
        conn,
        `SELECT * FROM ${this.dialect.relation(node.relation)}`,
      ))
        columnTypes[c.name] = c.type;
    }
    const current =
      cfg.grants === undefined
        ? []
        : grantsFromShowRows(await conn.query(this.dialect.showGrants(node.relation)));
    const steps = governanceSteps(this.dialect, node.relation, kind, cfg, columnTypes, current);
    for (const s of steps) await conn.execute(s.sql);
    return steps;
  }

  async describeEngine(conn: Connection): Promise<Readonly<Record<string, string>>> {
    const rows = await conn.query(
      'SELECT current_version().dbsql_version AS version, current_catalog() AS catalog, current_schema() AS schema',
    );
    const r = rows[0] ?? {};
    return {
      engine: 'databricks',
      version: cellText(r.version),
      host: this.options.host,
      http_path: this.options.httpPath,
      auth: this.options.auth.kind,
      catalog: cellText(r.catalog),
      schema: cellText(r.schema),
    };
  }
}

/** Opens a pool of up to `threads` sessions on the target's SQL warehouse (one now, to fail fast). */
export async function createDatabricksAdapter(
  target: DatabricksTarget,
  threads = target.threads,
  resolve: ConfigResolver = plainResolver,
  runId?: string,
): Promise<Adapter> {
  if (threads < 1) throw new MdlError('E_USAGE', `--threads must be at least 1 (got ${threads})`);
  const options = await databricksConnectOptions(target, resolve, runId);
  const pool = new SessionPool(() => DatabricksConnection.open(options), threads);
  const first = await pool.acquire();
  pool.release(first);
  return new DatabricksAdapter(target, pool, options);
}

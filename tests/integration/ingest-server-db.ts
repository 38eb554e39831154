/**
 * A tiny driver-neutral handle on the PostgreSQL / MariaDB test servers for the ingest suites:
 * runs setup SQL and builds the `connections.yml` entry. Services come from `MDL_PG_URL` /
 * `MDL_MARIADB_URL` (scripts/services/*.sh); with `MDL_REQUIRE_SERVICES=1` a missing one fails.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { EmrSourceConfig } from '../../runner/ingest/emr-connections.js';

export interface ServerDb {
  readonly client: 'pg' | 'mysql';
  /** Runs statements (`?` placeholders are translated for pg). */
  exec(sql: string, params?: readonly unknown[]): Promise<void>;
  /** Quotes an identifier for this server. */
  q(name: string): string;
  /** Type names for the shared cases. */
  readonly types: { readonly ts: string; readonly text: string };
  /** connections.yml entry for `database` (password via env_var). */
  source(database: string): EmrSourceConfig;
  /** Env holding the password the source entry references. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Schema (pg) or database (MariaDB) name to use for tables of one test. */
  readonly schemaPrefix: string;
  close(): Promise<void>;
}

/** The env var of a service and whether a missing one must fail the suite. */
export function serviceUrl(name: 'MDL_PG_URL' | 'MDL_MARIADB_URL'): {
  url?: string;
  required: boolean;
} {
  const url = process.env[name];
  return {
    ...(url === undefined || url === '' ? {} : { url }),
    required: process.env.MDL_REQUIRE_SERVICES === '1',
  };
}

export async function openServerDb(client: 'pg' | 'mysql', url: string): Promise<ServerDb> {
  const u = new URL(url);
  const passwordVar = client === 'pg' ? 'MDL_TEST_PG_PASSWORD' : 'MDL_TEST_MARIADB_PASSWORD';
  const env = { ...process.env, [passwordVar]: decodeURIComponent(u.password) };
  const source = (database: string): EmrSourceConfig => ({
    client,
    database,
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: { kind: 'env_var', name: passwordVar },
    dbName: u.pathname.slice(1),
    encrypt: false,
  });
  if (client === 'pg') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return {
      client,
      env,
      source,
      schemaPrefix: 'mdl_it',
      types: { ts: 'TIMESTAMP', text: 'TEXT' },
      q: (n) => `"${n.replaceAll('"', '""')}"`,
      exec: async (sql, params = []) => {
        let i = 0;
        await c.query(
          sql.replace(/\?/g, () => `$${++i}`),
          [...params],
        );
      },
      close: () => c.end(),
    };
  }
  const c = await mysql.createConnection({
    uri: url,
    multipleStatements: false,
    charset: 'utf8mb4',
  });
  return {
    client,
    env,
    source,
    schemaPrefix: 'mdl_it',
    types: { ts: 'DATETIME(6)', text: 'VARCHAR(200)' },
    q: (n) => `\`${n.replaceAll('`', '``')}\``,
    exec: async (sql, params = []) => {
      await c.query(sql, [...params]);
    },
    close: () => c.end(),
  };
}

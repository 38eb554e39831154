/**
 * `configs/emr/connections.yml`: how to reach each EMR source `database` named in
 * load_config.csv. Credentials are never literal: `password: env_var('X')` or
 * `password: secret('name')`, resolved only when a connection is opened.
 */
import { parseDocument } from 'yaml';
import { MdlError } from '../errors/mdl-error.js';
import { envSecretVariable } from '../secrets/env-provider.js';
import { isSqlIdentifier } from './identifiers.js';

/** A credential reference: read from an environment variable or a named secret. */
export type CredentialRef =
  | { readonly kind: 'env_var'; readonly name: string }
  | { readonly kind: 'secret'; readonly name: string };

/** SQLite file (the embedded default the demo uses). Schemas are ignored: tables live in main. */
export interface SqliteSourceConfig {
  readonly client: 'sqlite';
  readonly database: string;
  /** Path of the .sqlite file, relative to the project dir unless absolute. */
  readonly filename: string;
}

/** A server database reached over the network (PostgreSQL, MariaDB/MySQL, SQL Server). */
export interface ServerSourceConfig {
  readonly client: 'pg' | 'mysql' | 'mssql';
  readonly database: string;
  readonly host: string;
  readonly port?: number;
  readonly user: string | CredentialRef;
  readonly password?: CredentialRef;
  /** Database name on the server (defaults to the config key). */
  readonly dbName: string;
  /** Encrypt the connection (SQL Server; default true). */
  readonly encrypt: boolean;
}

export type EmrSourceConfig = SqliteSourceConfig | ServerSourceConfig;
export type EmrClient = EmrSourceConfig['client'];

/** Resolves `secret('name')` references (Key Vault in production, env/files locally). */
export type SecretResolver = (name: string) => string | undefined;

/**
 * Default local resolver: `secret('hosa-password')` reads `MDL_SECRET_HOSA_PASSWORD`.
 * Production passes a Key Vault-backed resolver instead.
 */
export function envSecretResolver(
  env: Readonly<Record<string, string | undefined>>,
): SecretResolver {
  return (name) => env[envSecretVariable(name)];
}

/** Names of the `secret('…')` credentials the given connections use (to resolve up front). */
export function connectionSecretNames(
  connections: Readonly<Record<string, EmrSourceConfig>>,
): readonly string[] {
  const names = new Set<string>();
  for (const cfg of Object.values(connections)) {
    if (cfg.client === 'sqlite') continue;
    for (const ref of [cfg.user, cfg.password])
      if (typeof ref === 'object' && ref.kind === 'secret') names.add(ref.name);
  }
  return [...names];
}

const REF = /^\s*(?:\{\{\s*)?(env_var|secret)\(\s*['"]([A-Za-z0-9_.-]+)['"]\s*\)(?:\s*\}\})?\s*$/;

function parseRef(v: unknown): CredentialRef | undefined {
  if (typeof v !== 'string') return undefined;
  const m = REF.exec(v);
  if (m === null) return undefined;
  return { kind: m[1] === 'env_var' ? 'env_var' : 'secret', name: m[2] ?? '' };
}

/** Resolves a credential reference; throws E_ENV_VAR / E_SECRET naming the reference, never a value. */
export function resolveCredential(
  ref: string | CredentialRef,
  env: Readonly<Record<string, string | undefined>>,
  secrets: SecretResolver,
  where: string,
): string {
  if (typeof ref === 'string') return ref;
  let value: string | undefined;
  try {
    value = ref.kind === 'env_var' ? env[ref.name] : secrets(ref.name);
  } catch (err) {
    // A provider error (e.g. Key Vault 403) names the secret; add which connection needed it.
    if (!(err instanceof MdlError)) throw err;
    throw new MdlError(err.code, `${where}: ${err.message}`, {
      ...(err.hint === undefined ? {} : { hint: err.hint }),
    });
  }
  if (value === undefined)
    throw new MdlError(
      ref.kind === 'env_var' ? 'E_ENV_VAR' : 'E_SECRET',
      `${where}: ${ref.kind}('${ref.name}') is not set`,
      {
        hint:
          ref.kind === 'env_var'
            ? `export ${ref.name}=… before running`
            : `provide the secret '${ref.name}' (locally: ${envSecretVariable(ref.name)})`,
      },
    );
  return value;
}

/** Parses connections.yml text (`connections: {<database>: {...}}`). */
export function parseEmrConnections(
  text: string,
  file: string,
): Readonly<Record<string, EmrSourceConfig>> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new MdlError('E_YAML_PARSE', e?.message ?? 'invalid YAML', {
      file,
      line: e?.linePos?.[0].line,
    });
  }
  const root = doc.toJS() as unknown;
  const conns =
    root !== null && typeof root === 'object'
      ? (root as Record<string, unknown>).connections
      : undefined;
  if (conns === null || typeof conns !== 'object')
    throw new MdlError('E_CONFIG', 'expected a top-level `connections:` mapping', {
      file,
      hint: 'connections: {hospital_a: {client: sqlite, filename: data/landing/emr/hospital_a.sqlite}}',
    });
  const out: Record<string, EmrSourceConfig> = {};
  for (const [database, raw] of Object.entries(conns as Record<string, unknown>)) {
    const node = `connections.${database}`;
    if (!isSqlIdentifier(database))
      throw new MdlError('E_CONFIG', `invalid database key '${database}'`, {
        file,
        node,
        hint: 'use letters, digits and _',
      });
    if (raw === null || typeof raw !== 'object')
      throw new MdlError('E_CONFIG', 'expected a mapping', { file, node });
    const c = raw as Record<string, unknown>;
    const client = c.client;
    if (client === 'sqlite') {
      if (typeof c.filename !== 'string' || c.filename === '')
        throw new MdlError('E_CONFIG', 'sqlite needs `filename`', { file, node });
      out[database] = { client, database, filename: c.filename };
      continue;
    }
    if (client !== 'pg' && client !== 'mysql' && client !== 'mssql')
      throw new MdlError('E_CONFIG', `unknown client '${String(client)}'`, {
        file,
        node,
        hint: 'use sqlite, pg, mysql or mssql',
      });
    if (typeof c.host !== 'string' || c.host === '')
      throw new MdlError('E_CONFIG', `${client} needs \`host\``, { file, node });
    if (c.password !== undefined && parseRef(c.password) === undefined)
      throw new MdlError('E_CONFIG', 'password must be a reference, never a literal', {
        file,
        node,
        hint: "write password: env_var('NAME') or password: secret('name')",
      });
    const user = parseRef(c.user) ?? (typeof c.user === 'string' ? c.user : undefined);
    if (user === undefined)
      throw new MdlError('E_CONFIG', `${client} needs \`user\``, { file, node });
    const port = c.port;
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port)))
      throw new MdlError('E_CONFIG', '`port` must be an integer', { file, node });
    const dbName = c.database ?? database;
    if (typeof dbName !== 'string' || !isSqlIdentifier(dbName))
      throw new MdlError('E_CONFIG', '`database` must be a plain name', { file, node });
    const password = parseRef(c.password);
    out[database] = {
      client,
      database,
      host: c.host,
      ...(port === undefined ? {} : { port }),
      user,
      ...(password === undefined ? {} : { password }),
      dbName,
      encrypt: c.encrypt !== false,
    };
  }
  return out;
}

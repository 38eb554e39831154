import * as path from 'node:path';
import type { Diagnostics } from '../errors/diagnostics.js';
import { MdlError } from '../errors/mdl-error.js';
import { readSecretsConfig } from '../secrets/secrets-config.js';
import { isSecretRef, resolveConfigString } from './env-values.js';
import type { ConfigValue, Target, TargetsConfig } from './types.js';
import type { YamlData } from './yaml-data.js';
import { childPath } from './yaml-data.js';
import { YamlReader } from './yaml-reader.js';
import type { YamlMap } from './yaml-reader.js';

const COMMON_KEYS = ['type', 'schema', 'threads'];
const KEYS: Readonly<Record<Target['type'], readonly string[]>> = {
  duckdb: [...COMMON_KEYS, 'path', 'database', 'memory_limit', 'settings'],
  databricks: [
    ...COMMON_KEYS,
    'host',
    'http_path',
    'catalog',
    'auth',
    'token',
    'client_id',
    'client_secret',
    'tenant_id',
    'create_catalogs',
  ],
  spark: [...COMMON_KEYS, 'host', 'port', 'transport', 'auth', 'user', 'password', 'http_path'],
};

/**
 * Validates configs/targets.yml: `default: <name>` and `targets: {<name>: {type: …}}`.
 * env_var() values are resolved now; a missing variable is an error only for the target in use
 * (other targets that need it are left out, since they cannot be used in this invocation).
 */
export function loadTargets(
  data: YamlData,
  opts: {
    readonly projectDir: string;
    readonly targetName?: string;
    readonly env: Readonly<Record<string, string | undefined>>;
  },
  diagnostics: Diagnostics,
): TargetsConfig | undefined {
  const r = new YamlReader(data, diagnostics);
  const root = r.map('', data.value);
  if (root === undefined) {
    r.error('', 'expected a mapping with `default:` and `targets:`');
    return undefined;
  }
  r.knownKeys('', root, ['default', 'targets', 'secrets']);
  const secrets = readSecretsConfig(r, root.secrets, opts.env);
  const targetsMap = r.map('targets', root.targets);
  if (targetsMap === undefined) {
    r.error('targets', 'is required (a mapping of target name → settings)');
    return undefined;
  }
  const defaultTarget = r.string('default', root.default) ?? Object.keys(targetsMap)[0] ?? '';
  if (targetsMap[defaultTarget] === undefined)
    r.error('default', `names target '${defaultTarget}', which is not defined under targets:`);
  const selected = opts.targetName ?? defaultTarget;
  if (targetsMap[selected] === undefined) {
    diagnostics.add(
      new MdlError('E_TARGET', `unknown target '${selected}'`, {
        file: data.file,
        line: 1,
        hint: `use one of: ${Object.keys(targetsMap).join(', ')}`,
      }),
    );
  }
  const targets: Record<string, Target> = {};
  for (const [name, raw] of Object.entries(targetsMap)) {
    const p = childPath('targets', name);
    const m = r.map(p, raw);
    if (m === undefined) continue;
    const isSelected = name === selected;
    const t = readTarget(r, p, name, m, opts, isSelected);
    // Every target carries the provider, so openAdapter/ingest resolve secret() the same way.
    if (t !== undefined) targets[name] = secrets === undefined ? t : { ...t, secrets };
  }
  return {
    defaultTarget,
    targets,
    file: data.file,
    ...(secrets === undefined ? {} : { secrets }),
  };
}

function readTarget(
  r: YamlReader,
  p: string,
  name: string,
  m: YamlMap,
  opts: { readonly projectDir: string; readonly env: Readonly<Record<string, string | undefined>> },
  reportMissingEnv: boolean,
): Target | undefined {
  const type = r.string(childPath(p, 'type'), m.type);
  if (type !== 'duckdb' && type !== 'databricks' && type !== 'spark') {
    r.error(childPath(p, 'type'), `expected one of duckdb, databricks, spark`);
    return undefined;
  }
  r.knownKeys(p, m, KEYS[type]);
  let missing = false;
  const value = (key: string): ConfigValue | undefined => {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v !== 'string') {
      r.error(childPath(p, key), 'expected a string, number or boolean');
      return undefined;
    }
    const res = resolveConfigString(v, opts.env);
    if (res.kind === 'missing-env') {
      missing = true;
      if (reportMissingEnv)
        r.error(
          childPath(p, key),
          `environment variable '${res.name}' is not set and has no default`,
          `export ${res.name}=… or write env_var('${res.name}', 'default')`,
          'E_ENV_VAR',
        );
      return undefined;
    }
    return res.value;
  };
  const str = (key: string): string | undefined => {
    const v = value(key);
    if (v === undefined) return undefined;
    if (isSecretRef(v)) {
      r.error(childPath(p, key), 'cannot be a secret() reference (expected a plain value)');
      return undefined;
    }
    return String(v);
  };
  const int = (key: string, def: number): number => {
    const v = str(key);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v.trim())) {
      r.error(childPath(p, key), 'expected a positive integer');
      return def;
    }
    return Number(v);
  };
  const bool = (key: string, def: boolean): boolean => {
    const v = str(key);
    if (v === undefined) return def;
    if (v !== 'true' && v !== 'false') {
      r.error(childPath(p, key), 'expected true or false');
      return def;
    }
    return v === 'true';
  };
  const required = (key: string): ConfigValue | undefined => {
    const v = value(key);
    if (v === undefined && !missing) r.error(childPath(p, key), `is required for a ${type} target`);
    return v;
  };
  const threads = int('threads', 1);
  switch (type) {
    case 'duckdb': {
      const rawPath = str('path') ?? ':memory:';
      const settingsMap = r.map(childPath(p, 'settings'), m.settings) ?? {};
      const settings: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(settingsMap)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
          settings[k] = v;
        else r.error(childPath(childPath(p, 'settings'), k), 'expected a scalar value');
      }
      const database = str('database');
      const memoryLimit = str('memory_limit');
      if (missing) return undefined;
      return {
        type,
        name,
        path: rawPath === ':memory:' ? rawPath : path.resolve(opts.projectDir, rawPath),
        schema: str('schema') ?? 'main',
        ...(database === undefined ? {} : { database }),
        threads,
        ...(memoryLimit === undefined ? {} : { memoryLimit }),
        settings,
      };
    }
    case 'databricks': {
      const host = required('host');
      const httpPath = required('http_path');
      const catalog = str('catalog');
      if (catalog === undefined && !missing)
        r.error(childPath(p, 'catalog'), 'is required for a databricks target');
      const auth = str('auth') ?? 'pat';
      if (auth !== 'pat' && auth !== 'oauth-m2m' && auth !== 'azure-ad')
        r.error(childPath(p, 'auth'), 'expected one of pat, oauth-m2m, azure-ad');
      const token = value('token');
      const clientId = value('client_id');
      const clientSecret = value('client_secret');
      const tenantId = value('tenant_id');
      const createCatalogs = bool('create_catalogs', false);
      if (missing || host === undefined || httpPath === undefined || catalog === undefined)
        return undefined;
      return {
        type,
        name,
        host,
        httpPath,
        catalog,
        schema: str('schema') ?? 'default',
        threads,
        auth: auth === 'oauth-m2m' || auth === 'azure-ad' ? auth : 'pat',
        ...(token === undefined ? {} : { token }),
        ...(clientId === undefined ? {} : { clientId }),
        ...(clientSecret === undefined ? {} : { clientSecret }),
        ...(tenantId === undefined ? {} : { tenantId }),
        createCatalogs,
      };
    }
    case 'spark': {
      const host = required('host');
      const port = int('port', 10000);
      const transport = str('transport') ?? 'binary';
      if (transport !== 'binary' && transport !== 'http')
        r.error(childPath(p, 'transport'), 'expected binary or http');
      const auth = str('auth') ?? 'NONE';
      if (auth !== 'NOSASL' && auth !== 'PLAIN' && auth !== 'NONE')
        r.error(childPath(p, 'auth'), 'expected one of NOSASL, PLAIN, NONE');
      const user = value('user');
      const password = value('password');
      const httpPath = str('http_path');
      if (missing || host === undefined) return undefined;
      return {
        type,
        name,
        host,
        port,
        transport: transport === 'http' ? 'http' : 'binary',
        auth: auth === 'NOSASL' || auth === 'PLAIN' ? auth : 'NONE',
        ...(user === undefined ? {} : { user }),
        ...(password === undefined ? {} : { password }),
        ...(httpPath === undefined ? {} : { httpPath }),
        schema: str('schema') ?? 'default',
        threads,
      };
    }
  }
}

import { describe, expect, it } from 'vitest';
import { openAdapter } from '../../runner/adapters/open-adapter.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { envSecretResolver, resolveCredential } from '../../runner/ingest/emr-connections.js';
import type { DatabricksTarget, SparkTarget } from '../../runner/project/types.js';
import { createEnvSecretProvider, envSecretVariable } from '../../runner/secrets/env-provider.js';
import {
  configResolver,
  createSecretProvider,
  prefetchSecrets,
} from '../../runner/secrets/resolver.js';
import type { SecretProvider } from '../../runner/secrets/secret-provider.js';

const VALUE = 'super-SECRET-value-42';

async function rejection(p: Promise<unknown>): Promise<MdlError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MdlError);
  return err as MdlError;
}

describe('env secret provider', () => {
  it('maps names to MDL_SECRET_<NAME> (upper-cased, non-alphanumerics → _)', () => {
    expect(envSecretVariable('databricks-token')).toBe('MDL_SECRET_DATABRICKS_TOKEN');
    expect(envSecretVariable('who.icd client-id')).toBe('MDL_SECRET_WHO_ICD_CLIENT_ID');
  });

  it('returns the value, or E_SECRET naming the secret and the variable', async () => {
    const p = createEnvSecretProvider({ MDL_SECRET_DATABRICKS_TOKEN: VALUE });
    expect(await p.get('databricks-token')).toBe(VALUE);
    const e = await rejection(p.get('hosa-sql-password'));
    expect(e.code).toBe('E_SECRET');
    expect(e.message).toBe("secret('hosa-sql-password') is not set");
    expect(e.hint).toContain('MDL_SECRET_HOSA_SQL_PASSWORD');
  });

  it('createSecretProvider(undefined | env) is the env provider', async () => {
    const env = { MDL_SECRET_X: VALUE };
    expect(await createSecretProvider(undefined, { env }).get('x')).toBe(VALUE);
    expect(await createSecretProvider({ provider: 'env' }, { env }).get('x')).toBe(VALUE);
  });

  it('the ingest envSecretResolver reads the same variables', () => {
    expect(envSecretResolver({ MDL_SECRET_HOSA_USER: 'u' })('hosa-user')).toBe('u');
  });
});

describe('configResolver (adapters)', () => {
  it('plain values pass through; secret() goes to the provider', async () => {
    const asked: string[] = [];
    const provider: SecretProvider = {
      description: 'test',
      get: (n) => {
        asked.push(n);
        return Promise.resolve(VALUE);
      },
    };
    const r = configResolver(provider, 'prod');
    expect(await r('adb-1.net', 'host')).toBe('adb-1.net');
    expect(await r(443, 'port')).toBe('443');
    expect(await r({ secret: 'databricks-token' }, 'token')).toBe(VALUE);
    expect(asked).toEqual(['databricks-token']);
  });
});

describe('openAdapter passes the resolver to Spark/Databricks', () => {
  const dbx: DatabricksTarget = {
    type: 'databricks',
    name: 'prod',
    host: 'adb-1.azuredatabricks.net',
    httpPath: '/sql/1.0/warehouses/abc',
    catalog: 'healthcare',
    schema: 'default',
    threads: 1,
    auth: 'pat',
    token: { secret: 'databricks-token' },
    createCatalogs: false,
  };
  const spark: SparkTarget = {
    type: 'spark',
    name: 'spark',
    host: '127.0.0.1',
    port: 1,
    transport: 'binary',
    auth: 'PLAIN',
    user: 'mdl',
    password: { secret: 'spark-password' },
    schema: 'default',
    threads: 1,
  };

  it('a missing secret fails with E_SECRET naming target, field and secret (no value)', async () => {
    const secrets = createEnvSecretProvider({ MDL_SECRET_OTHER: VALUE });
    const e = await rejection(openAdapter(dbx, 1, secrets));
    expect(e.code).toBe('E_SECRET');
    expect(e.message).toBe("target 'prod' field 'token': secret('databricks-token') is not set");
    expect(e.hint).toContain('MDL_SECRET_DATABRICKS_TOKEN');
    const s = await rejection(openAdapter(spark, 1, secrets));
    expect(s.message).toBe("target 'spark' field 'password': secret('spark-password') is not set");
  });

  it('without an explicit provider, the target’s secrets config is used (env → process.env)', async () => {
    const name = 'MDL_SECRET_SPARK_PASSWORD';
    const before = process.env[name];
    delete process.env[name];
    try {
      const e = await rejection(openAdapter({ ...spark, secrets: { provider: 'env' } }, 1));
      expect(e.message).toBe(
        "target 'spark' field 'password': secret('spark-password') is not set",
      );
    } finally {
      if (before !== undefined) process.env[name] = before;
    }
  });
});

describe('prefetchSecrets (ingest)', () => {
  it('resolves names once up front; errors surface only when that secret is used', async () => {
    let calls = 0;
    const provider: SecretProvider = {
      description: 'test',
      get: (n) => {
        calls++;
        return n === 'ok'
          ? Promise.resolve(VALUE)
          : Promise.reject(new MdlError('E_SECRET', `secret('${n}') not found in vault`));
      },
    };
    const lookup = await prefetchSecrets(provider, ['ok', 'gone', 'ok']);
    expect(calls).toBe(2);
    expect(lookup('ok')).toBe(VALUE);
    expect(lookup('never-asked')).toBeUndefined();
    expect(() => lookup('gone')).toThrow("secret('gone') not found in vault");
    // resolveCredential adds which connection needed it.
    expect(() =>
      resolveCredential({ kind: 'secret', name: 'gone' }, {}, lookup, 'connections.a.password'),
    ).toThrow("connections.a.password: secret('gone') not found in vault");
  });
});

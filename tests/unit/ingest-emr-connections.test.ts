/** configs/emr/connections.yml: clients, credential references, never a literal password. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import {
  envSecretResolver,
  parseEmrConnections,
  resolveCredential,
} from '../../runner/ingest/emr-connections.js';

const parse = (yaml: string) => parseEmrConnections(yaml, 'configs/emr/connections.yml');
const failure = (yaml: string): MdlError => {
  try {
    parse(yaml);
  } catch (err) {
    if (err instanceof MdlError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
};

describe('parseEmrConnections', () => {
  it('reads the repository file: both demo hospitals on SQLite', () => {
    const c = parse(fs.readFileSync('configs/emr/connections.yml', 'utf8'));
    expect(c).toEqual({
      hospital_a: {
        client: 'sqlite',
        database: 'hospital_a',
        filename: 'data/landing/emr/hospital_a.sqlite',
      },
      hospital_b: {
        client: 'sqlite',
        database: 'hospital_b',
        filename: 'data/landing/emr/hospital_b.sqlite',
      },
    });
  });

  it('reads server sources with env_var / secret references', () => {
    const c = parse(`connections:
  prod_a:
    client: mssql
    host: sql.example.net
    port: 1433
    database: hospital_a
    user: "secret('hosa-user')"
    password: "{{ env_var('HOSA_PW') }}"
`);
    expect(c.prod_a).toEqual({
      client: 'mssql',
      database: 'prod_a',
      host: 'sql.example.net',
      port: 1433,
      user: { kind: 'secret', name: 'hosa-user' },
      password: { kind: 'env_var', name: 'HOSA_PW' },
      dbName: 'hospital_a',
      encrypt: true,
    });
  });

  it('rejects a literal password, an unknown client, a bad key and a non-integer port', () => {
    const literal = failure(
      'connections:\n  a: {client: pg, host: h, user: u, password: hunter2}\n',
    );
    expect(literal.message).toContain('never a literal');
    expect(literal.message).not.toContain('hunter2');
    expect(literal.node).toBe('connections.a');
    expect(failure('connections:\n  a: {client: oracle, host: h}\n').message).toContain(
      "unknown client 'oracle'",
    );
    expect(failure('connections:\n  "a;b": {client: sqlite, filename: x}\n').message).toContain(
      'invalid database key',
    );
    expect(
      failure('connections:\n  a: {client: pg, host: h, user: u, port: "5432; x"}\n').message,
    ).toContain('port');
    expect(failure('hospital_a: {client: sqlite}\n').message).toContain('connections:');
  });
});

describe('resolveCredential', () => {
  it('resolves env vars and secrets; a missing one names the reference, never a value', () => {
    const env = { HOSA_PW: 'pw-1', MDL_SECRET_HOSA_USER: 'user-1' };
    const secrets = envSecretResolver(env);
    expect(resolveCredential({ kind: 'env_var', name: 'HOSA_PW' }, env, secrets, 'x')).toBe('pw-1');
    expect(resolveCredential({ kind: 'secret', name: 'hosa-user' }, env, secrets, 'x')).toBe(
      'user-1',
    );
    expect(() =>
      resolveCredential({ kind: 'secret', name: 'nope' }, env, secrets, 'connections.a.password'),
    ).toThrow(/E?connections\.a\.password: secret\('nope'\) is not set/);
    expect(() =>
      resolveCredential({ kind: 'env_var', name: 'MISSING' }, env, secrets, 'x'),
    ).toThrow(expect.objectContaining({ code: 'E_ENV_VAR' }) as Error);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import {
  azureAdTokenSource,
  databricksM2mTokenSource,
  AZURE_DATABRICKS_SCOPE,
} from '../../runner/connections/databricks-auth.js';
import {
  DatabricksConnection,
  type DatabricksConnectOptions,
} from '../../runner/connections/databricks-connection.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import {
  startLoopbackWarehouse,
  type CannedResult,
  type LoopbackServer,
} from './databricks-loopback-server.js';

// The real @databricks/sql client against a loopback HTTPS server speaking TCLIService over
// Thrift/HTTP. What is NOT exercised here: a real warehouse's SQL semantics (those run against the
// local Spark Thrift Server), Arrow/cloud-fetch result formats, and Azure AD's own endpoints.

const people: CannedResult = {
  columns: [
    { name: 'npi', type: 'bigint', values: [1234567893, 2987654321] },
    { name: 'name', type: 'string', values: ['A. Provider', null] },
    { name: 'paid', type: 'decimal', values: ['10.50', '0.00'] },
    { name: 'active', type: 'boolean', values: [true, false] },
  ],
};
const merged: CannedResult = {
  columns: [
    { name: 'num_affected_rows', type: 'bigint', values: [3] },
    { name: 'num_updated_rows', type: 'bigint', values: [1] },
    { name: 'num_deleted_rows', type: 'bigint', values: [0] },
    { name: 'num_inserted_rows', type: 'bigint', values: [2] },
  ],
};
const answers = (sql: string) => {
  if (sql === 'SELECT * FROM hc.silver.providers') return people;
  if (sql.startsWith('MERGE INTO')) return merged;
  if (sql.startsWith('SELECT bad'))
    return {
      error:
        'org.apache.hive.service.cli.HiveSQLException: Error running query: [CAST_INVALID_INPUT] org.apache.spark.SparkNumberFormatException: [CAST_INVALID_INPUT] The value \'Jane Doe\' of the type "STRING" cannot be cast to "INT" because it is malformed.\n\tat org.apache.spark.Foo(Foo.scala:1)',
    };
  return undefined;
};

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function options(
  s: LoopbackServer,
  extra: Partial<DatabricksConnectOptions>,
): DatabricksConnectOptions {
  return {
    host: s.host,
    port: s.port,
    httpPath: s.path,
    caCert: s.caCert,
    auth: { kind: 'pat', token: 'dapi-test-token' },
    catalog: 'hc',
    schema: 'silver',
    runId: 'run-42',
    retryDelayMinMs: 50,
    retryDelayMaxMs: 200,
    ...extra,
  };
}

describe('Databricks connection over Thrift/HTTPS (loopback warehouse)', () => {
  it('PAT: opens a session with catalog/schema and query tag, fetches typed rows, reports merge counts, closes everything', async () => {
    server = await startLoopbackWarehouse({ tokens: ['dapi-test-token'], results: answers });
    const conn = await DatabricksConnection.open(options(server, {}));
    const rows = await conn.query('SELECT * FROM hc.silver.providers');
    // Column-based (non-Arrow) results: the SDK hands DECIMAL over as a JS number, so the
    // string form loses trailing zeros; real warehouses send Arrow, which stays exact.
    expect(rows).toEqual([
      { npi: 1234567893n, name: 'A. Provider', paid: '10.5', active: true },
      { npi: 2987654321n, name: null, paid: '0', active: false },
    ]);
    expect(await conn.execute('MERGE INTO hc.silver.t USING s ON …')).toEqual({ rowsAffected: 3 });
    await conn.close();
    const log = server.log;
    expect(log.sessions).toHaveLength(1);
    expect(log.sessions[0]).toMatchObject({ catalog: 'hc', schema: 'silver' });
    expect(JSON.stringify(log.sessions[0]?.configuration)).toContain('run-42');
    expect(log.authHeaders.every((h) => h === 'Bearer dapi-test-token')).toBe(true);
    expect(log.userAgents[0]).toContain('mdl');
    expect(log.statements).toEqual([
      'SELECT * FROM hc.silver.providers',
      'MERGE INTO hc.silver.t USING s ON …',
    ]);
    expect(log.closedOperations).toBe(2);
    expect(log.closedSessions).toBe(1);
  });

  it('statement errors become E_SQL with the error class and without the data value', async () => {
    server = await startLoopbackWarehouse({ tokens: ['dapi-test-token'], results: answers });
    const conn = await DatabricksConnection.open(options(server, {}));
    const err = await conn.query('SELECT bad FROM t').catch((e: unknown) => e);
    await conn.close();
    expect(err).toBeInstanceOf(MdlError);
    expect((err as MdlError).code).toBe('E_SQL');
    expect((err as MdlError).message).toContain('CAST_INVALID_INPUT');
    expect((err as MdlError).message).not.toContain('Jane Doe');
    expect((err as MdlError).message).not.toContain('at org.apache');
  });

  it('a rejected token is E_CONNECTION with a credentials hint and no token in the message', async () => {
    server = await startLoopbackWarehouse({ tokens: ['other'], results: answers });
    const err = await DatabricksConnection.open(options(server, { retryMaxAttempts: 1 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MdlError);
    expect((err as MdlError).code).toBe('E_CONNECTION');
    expect((err as MdlError).message).not.toContain('dapi-test-token');
    expect((err as MdlError).hint).toMatch(/credentials|token/);
  });

  it('a starting warehouse (HTTP 503) is retried a bounded number of times', async () => {
    server = await startLoopbackWarehouse({
      tokens: ['dapi-test-token'],
      results: answers,
      unavailableFirst: 2,
    });
    const conn = await DatabricksConnection.open(options(server, { retryMaxAttempts: 4 }));
    expect(await conn.query('SELECT * FROM hc.silver.providers')).toHaveLength(2);
    await conn.close();
    expect(server.log.rejected503).toBe(2);
    await server.close();
    server = await startLoopbackWarehouse({
      tokens: ['dapi-test-token'],
      results: answers,
      unavailableFirst: 100,
    });
    const err = await DatabricksConnection.open(options(server, { retryMaxAttempts: 3 })).catch(
      (e: unknown) => e,
    );
    expect((err as MdlError).code).toBe('E_CONNECTION');
    expect(server.log.rejected503).toBeLessThanOrEqual(3);
  });

  it('OAuth M2M: client credentials are exchanged at /oidc/v1/token and the bearer token is used', async () => {
    server = await startLoopbackWarehouse({
      tokens: ['m2m-issued-token'],
      results: answers,
      oauthClient: { id: 'sp-client', secret: 'sp-secret', issues: 'm2m-issued-token' },
    });
    const getToken = databricksM2mTokenSource({
      host: server.host,
      port: server.port,
      clientId: 'sp-client',
      clientSecret: 'sp-secret',
      caCert: server.caCert,
    });
    const conn = await DatabricksConnection.open(
      options(server, { auth: { kind: 'oauth-m2m', getToken } }),
    );
    expect(await conn.query('SELECT * FROM hc.silver.providers')).toHaveLength(2);
    await conn.close();
    expect(server.log.tokenRequests).toHaveLength(1);
    expect(server.log.tokenRequests[0]?.body).toContain('grant_type=client_credentials');
    expect(server.log.tokenRequests[0]?.body).toContain('scope=all-apis');
    expect(server.log.authHeaders.every((h) => h === 'Bearer m2m-issued-token')).toBe(true);
    const bad = databricksM2mTokenSource({
      host: server.host,
      port: server.port,
      clientId: 'sp-client',
      clientSecret: 'wrong',
      caCert: server.caCert,
    });
    const err = await bad().catch((e: unknown) => e);
    expect((err as MdlError).code).toBe('E_CONNECTION');
    expect((err as MdlError).message).not.toContain('wrong');
  });

  it('Azure AD: tokens come from the credential for the Azure Databricks resource and are cached', async () => {
    const scopes: (string | string[])[] = [];
    const credential = {
      getToken: (s: string | string[]) => {
        scopes.push(s);
        return Promise.resolve({ token: 'aad-token', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    };
    server = await startLoopbackWarehouse({ tokens: ['aad-token'], results: answers });
    const getToken = azureAdTokenSource(credential);
    const conn = await DatabricksConnection.open(
      options(server, { auth: { kind: 'azure-ad', getToken } }),
    );
    await conn.query('SELECT * FROM hc.silver.providers');
    await conn.query('SELECT * FROM hc.silver.providers');
    await conn.close();
    expect(scopes).toEqual([AZURE_DATABRICKS_SCOPE]);
    expect(server.log.authHeaders.every((h) => h === 'Bearer aad-token')).toBe(true);
  });
});

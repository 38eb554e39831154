import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterBuild } from '../../runner/adapters/after-build.js';
import type { Adapter } from '../../runner/adapters/adapter.js';
import { DatabricksAdapter } from '../../runner/adapters/databricks-adapter.js';
import { sparkDialect } from '../../runner/dialects/spark-dialect.js';
import { SessionPool } from '../../runner/adapters/session-pool.js';
import type { Connection, Row } from '../../runner/connections/connection.js';
import { clientOptions } from '../../runner/connections/databricks-connection.js';
import {
  diffGrants,
  governanceConfig,
  grantsFromShowRows,
  type GrantRow,
} from '../../runner/dialects/databricks-governance.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import type { DatabricksTarget } from '../../runner/project/types.js';
import { modelNode } from '../helpers/node-factory.js';

describe('grant diff (configured vs current)', () => {
  it('grants what is missing, revokes what is no longer configured, never touches ownership', () => {
    const diff = diffGrants({ select: ['analysts', 'bi'], modify: ['engineers'] }, [
      { principal: 'analysts', privilege: 'SELECT' },
      { principal: 'old_team', privilege: 'SELECT' },
      { principal: 'engineers', privilege: 'select' },
      { principal: 'owners', privilege: 'OWN' },
    ]);
    expect(diff.grant).toEqual([
      { principal: 'engineers', privilege: 'MODIFY' },
      { principal: 'bi', privilege: 'SELECT' },
    ]);
    expect(diff.revoke).toEqual([
      { principal: 'engineers', privilege: 'SELECT' },
      { principal: 'old_team', privilege: 'SELECT' },
    ]);
  });

  it('property: applying the diff to the current grants yields exactly the configured grants', () => {
    const principal = fc.constantFrom('a', 'b', 'c', 'd');
    const privilege = fc.constantFrom('SELECT', 'MODIFY', 'APPLY TAG');
    fc.assert(
      fc.property(
        fc.dictionary(privilege, fc.uniqueArray(principal)),
        fc.array(fc.record({ principal, privilege })),
        (configured, current) => {
          const diff = diffGrants(configured, current);
          const key = (g: GrantRow) => `${g.privilege}|${g.principal}`;
          const after = new Set(current.map(key));
          for (const g of diff.revoke) after.delete(key(g));
          for (const g of diff.grant) after.add(key(g));
          const want = new Set(
            Object.entries(configured).flatMap(([p, ps]) => ps.map((x) => `${p}|${x}`)),
          );
          expect([...after].sort()).toEqual([...want].sort());
          // Idempotent: a second diff against the result is empty.
          const again = diffGrants(
            configured,
            [...after].map((k) => ({ privilege: k.split('|')[0]!, principal: k.split('|')[1]! })),
          );
          expect(again).toEqual({ grant: [], revoke: [] });
        },
      ),
    );
  });

  it('reads SHOW GRANTS rows, keeping only direct table grants', () => {
    expect(
      grantsFromShowRows([
        { Principal: 'analysts', ActionType: 'SELECT', ObjectType: 'TABLE', ObjectName: 'c.s.t' },
        { Principal: 'all', ActionType: 'USE SCHEMA', ObjectType: 'SCHEMA', ObjectName: 'c.s' },
      ]),
    ).toEqual([{ principal: 'analysts', privilege: 'SELECT' }]);
  });

  it('rejects malformed governance config with the node named', () => {
    const node = modelNode('m', 'SELECT 1', { materialized: 'table', row_filter: { function: 1 } });
    expect(() => governanceConfig(node.uniqueId, node.config, {})).toThrow(MdlError);
  });
});

/** A connection that answers introspection and records statements (no warehouse needed). */
function recordingConnection(
  answers: (sql: string) => Row[],
): Connection & { statements: string[] } {
  const statements: string[] = [];
  return {
    kind: 'databricks',
    statements,
    execute: (sql) => {
      statements.push(sql);
      return Promise.resolve({});
    },
    query: (sql) => {
      statements.push(sql);
      return Promise.resolve(answers(sql));
    },
    cancel: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe('Databricks adapter governance after a build', () => {
  const target: DatabricksTarget = {
    type: 'databricks',
    name: 'prod',
    host: 'h',
    httpPath: '/p',
    catalog: 'hc',
    schema: 'silver',
    threads: 1,
    auth: 'pat',
    token: 't',
    createCatalogs: false,
  };

  it('masks PHI columns by type, sets tags and applies only the grant difference', async () => {
    const conn = recordingConnection((sql) => {
      if (sql.startsWith('DESCRIBE QUERY'))
        return [
          { col_name: 'patient_id', data_type: 'string' },
          { col_name: 'ssn', data_type: 'string' },
          { col_name: 'dob', data_type: 'date' },
        ];
      if (sql.startsWith('SHOW GRANTS'))
        return [{ Principal: 'old', ActionType: 'SELECT', ObjectType: 'TABLE' }];
      return [];
    });
    const adapter = new DatabricksAdapter(target, new SessionPool(() => Promise.resolve(conn), 1), {
      host: 'h',
      httpPath: '/p',
      auth: { kind: 'pat', token: 't' },
    });
    const node = {
      ...modelNode('patients', 'SELECT 1', {
        materialized: 'table',
        grants: { select: ['analysts'] },
        databricks_tags: { layer: 'silver' },
      }),
      relation: { catalog: 'hc', schema: 'silver', identifier: 'patients' },
      columns: {
        ssn: { name: 'ssn', description: '', meta: { phi: true }, tags: [] },
        dob: { name: 'dob', description: '', meta: { phi: true }, tags: [] },
      },
    };
    await adapter.applyGovernance(conn, node, 'table');
    const ddl = conn.statements.filter((s) => !s.startsWith('DESCRIBE') && !s.startsWith('SHOW'));
    expect(ddl.map((s) => s.split('\n')[0])).toEqual([
      'CREATE FUNCTION IF NOT EXISTS `hc`.`silver`.`mdl_mask_string`(v string)',
      'ALTER TABLE `hc`.`silver`.`patients` ALTER COLUMN `ssn` SET MASK `hc`.`silver`.`mdl_mask_string`',
      'CREATE FUNCTION IF NOT EXISTS `hc`.`silver`.`mdl_mask_date`(v date)',
      'ALTER TABLE `hc`.`silver`.`patients` ALTER COLUMN `dob` SET MASK `hc`.`silver`.`mdl_mask_date`',
      "ALTER TABLE `hc`.`silver`.`patients` SET TAGS ('layer' = 'silver')",
      'REVOKE SELECT ON TABLE `hc`.`silver`.`patients` FROM `old`',
      'GRANT SELECT ON TABLE `hc`.`silver`.`patients` TO `analysts`',
    ]);
  });

  it('a PHI column that is not in the table is an E_CONFIG error', async () => {
    const conn = recordingConnection((sql) =>
      sql.startsWith('DESCRIBE QUERY') ? [{ col_name: 'id', data_type: 'int' }] : [],
    );
    const adapter = new DatabricksAdapter(target, new SessionPool(() => Promise.resolve(conn), 1), {
      host: 'h',
      httpPath: '/p',
      auth: { kind: 'pat', token: 't' },
    });
    const node = {
      ...modelNode('p', 'SELECT 1', { materialized: 'table' }),
      columns: { ssn: { name: 'ssn', description: '', meta: { phi: true }, tags: [] } },
    };
    await expect(adapter.applyGovernance(conn, node, 'table')).rejects.toMatchObject({
      code: 'E_CONFIG',
    });
  });
});

describe('afterBuild', () => {
  const target: DatabricksTarget = {
    type: 'databricks',
    name: 'prod',
    host: 'h',
    httpPath: '/p',
    catalog: 'hc',
    schema: 'gold',
    threads: 1,
    auth: 'pat',
    token: 't',
    createCatalogs: false,
  };
  const documented = {
    ...modelNode('fact', 'SELECT 1', {
      materialized: 'table',
      persist_docs: { relation: true, columns: true },
      grants: { select: ['bi'] },
    }),
    description: 'One row per transaction',
    relation: { catalog: 'hc', schema: 'gold', identifier: 'fact' },
    columns: { amount: { name: 'amount', description: 'Billed amount', meta: {}, tags: [] } },
  };

  it('persists docs when configured, then applies governance on Databricks', async () => {
    const conn = recordingConnection(() => []);
    const adapter = new DatabricksAdapter(target, new SessionPool(() => Promise.resolve(conn), 1), {
      host: 'h',
      httpPath: '/p',
      auth: { kind: 'pat', token: 't' },
    });
    const labels = await afterBuild(adapter, conn, documented, 'table');
    expect(labels).toEqual(['persist docs (2)', 'grant SELECT']);
    expect(conn.statements.filter((s) => !s.startsWith('SHOW'))).toEqual([
      "COMMENT ON TABLE `hc`.`gold`.`fact` IS 'One row per transaction'",
      "ALTER TABLE `hc`.`gold`.`fact` ALTER COLUMN `amount` COMMENT 'Billed amount'",
      'GRANT SELECT ON TABLE `hc`.`gold`.`fact` TO `bi`',
    ]);
  });

  it('does nothing on Spark without persist_docs', async () => {
    const conn = recordingConnection(() => []);
    const adapter = { dialect: sparkDialect } as unknown as Adapter;
    const plain = { ...documented, config: { ...documented.config, persist_docs: undefined } };
    expect(await afterBuild(adapter, conn, plain, 'table')).toEqual([]);
    expect(conn.statements).toEqual([]);
  });
});

describe('Databricks client options', () => {
  it('telemetry off by default, bounded retries, exact numerics, token auth kinds', () => {
    const pat = clientOptions({
      host: 'adb-1.azuredatabricks.net',
      httpPath: '/sql/1.0/warehouses/x',
      auth: { kind: 'pat', token: 'dapi' },
    });
    expect(pat).toMatchObject({
      telemetryEnabled: false,
      retryMaxAttempts: 6,
      retriesTimeout: 300_000,
      preserveBigNumericPrecision: true,
      authType: 'access-token',
      token: 'dapi',
    });
    const getToken = () => Promise.resolve('t');
    expect(
      clientOptions({
        host: 'h',
        httpPath: '/p',
        auth: { kind: 'azure-ad', getToken },
        telemetry: true,
      }),
    ).toMatchObject({ authType: 'external-token', telemetryEnabled: true });
  });
});

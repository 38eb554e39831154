import type { RelationName, TestNode } from '../compiler/manifest.js';
import type { Dialect } from '../dialects/dialect.js';
import type { SqlStep } from './strategy.js';

/** What running one data test takes. */
export interface DataTestPlan {
  /** Statements that keep the failing rows (store_failures), run before counting. */
  readonly storeSteps: readonly SqlStep[];
  /** Returns one row with `failures` (the number of failing rows, capped by `limit`). */
  readonly countSql: string;
  /** Where failing rows are kept, when store_failures is on. */
  readonly auditRelation?: RelationName;
}

/** Schema for stored failures: config `schema`, else `<target schema>_audit`. */
export function auditSchemaFor(node: TestNode, targetSchema: string): string {
  return typeof node.config.schema === 'string' && node.config.schema !== ''
    ? node.config.schema
    : `${targetSchema}_audit`;
}

/**
 * A data test = a SELECT of failing rows. It runs as `SELECT count(*)` over that SELECT (with the
 * `limit` config applied), so no row values ever reach the runner; with `store_failures` the rows
 * are written to `<audit schema>.<test name>` (replaced atomically each run) and counted there.
 */
export function planDataTest(input: {
  readonly node: TestNode;
  readonly dialect: Dialect;
  /** Failing-rows SELECT with ephemeral CTEs inlined. */
  readonly selectSql: string;
  readonly targetSchema: string;
}): DataTestPlan {
  const { node, dialect } = input;
  const limit =
    typeof node.config.limit === 'number' && node.config.limit >= 0
      ? Math.floor(node.config.limit)
      : undefined;
  const failing =
    limit === undefined
      ? input.selectSql
      : `SELECT * FROM (\n${input.selectSql}\n) AS __mdl_failing\nLIMIT ${limit}`;
  if (node.config.store_failures !== true) {
    return {
      storeSteps: [],
      countSql: `SELECT count(*) AS failures FROM (\n${failing}\n) AS __mdl_test`,
    };
  }
  const auditRelation: RelationName = {
    ...(node.relation.catalog === undefined ? {} : { catalog: node.relation.catalog }),
    schema: auditSchemaFor(node, input.targetSchema),
    identifier: node.relation.identifier,
  };
  return {
    storeSteps: [
      {
        sql: dialect.createSchemaIfNotExists(auditRelation.catalog, auditRelation.schema),
        label: 'create audit schema',
        kind: 'exec',
      },
      {
        sql: dialect.createTableAs(auditRelation, failing, { replace: true }),
        label: 'store failures',
        kind: 'exec',
      },
    ],
    countSql: `SELECT count(*) AS failures FROM ${dialect.relation(auditRelation)}`,
    auditRelation,
  };
}

import { MdlError } from '../errors/mdl-error.js';
import type { TargetType } from '../project/types.js';
import type { Dialect } from './dialect.js';
import { databricksDialect } from './databricks-dialect.js';
import { duckdbDialect } from './duckdb-dialect.js';
import { sparkDialect } from './spark-dialect.js';

const dialects: Partial<Record<TargetType, Dialect>> = {
  duckdb: duckdbDialect,
  spark: sparkDialect,
  databricks: databricksDialect,
};

/** The dialect for a target type (pure; no connection). */
export function getDialect(type: TargetType): Dialect {
  const d = dialects[type];
  if (d === undefined) {
    throw new MdlError('E_TARGET', `no SQL dialect is available for target type '${type}'`, {
      hint: 'use a target of type duckdb, spark or databricks',
    });
  }
  return d;
}

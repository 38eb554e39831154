import type { RelationName } from '../compiler/manifest.js';
import type { Dialect } from '../dialects/dialect.js';
import type { SqlStep } from './strategy.js';

/** How many offending keys an E_DUPLICATE_KEYS message names at most. */
export const MAX_REPORTED_KEYS = 10;

/**
 * A `check` step returning up to 10 key values that occur more than once in `rel`. Only the key
 * columns are selected: keys are identifiers, other columns may hold PHI. NULL keys group
 * together, matching the NULL-safe key comparison of merge/delete+insert.
 */
export function duplicateKeyCheck(
  dialect: Dialect,
  rel: RelationName,
  keys: readonly string[],
  nodeName: string,
): SqlStep {
  const cols = keys.map((k) => dialect.quoteIdentifier(k)).join(', ');
  return {
    sql: `SELECT ${cols}, count(*) AS __mdl_count\nFROM ${dialect.relation(rel)}\nGROUP BY ${cols}\nHAVING count(*) > 1\nORDER BY ${cols}\nLIMIT ${MAX_REPORTED_KEYS}`,
    label: 'check unique_key',
    kind: 'check',
    failWith: {
      code: 'E_DUPLICATE_KEYS',
      message: `${nodeName}: the new batch has several rows for the same unique_key (${keys.join(', ')})`,
    },
  };
}

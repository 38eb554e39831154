import type { RelationName } from '../compiler/manifest.js';
import type { SnapshotMergeSpec } from './dialect.js';

/** What a key-matching statement needs from its dialect. */
interface MergeDialect {
  quoteIdentifier(name: string): string;
  relation(rel: RelationName): string;
}

/** `t.k1 <op> s.k1 AND …` with the engine's NULL-safe equality (keys may hold NULLs). */
export function keyMatch(
  d: MergeDialect,
  keys: readonly string[],
  nullSafeEq: (a: string, b: string) => string,
): string {
  return keys
    .map((k) => nullSafeEq(`t.${d.quoteIdentifier(k)}`, `s.${d.quoteIdentifier(k)}`))
    .join(' AND ');
}

/**
 * Upsert `source` into `target` by key (incremental `merge`). DuckDB and Delta share the MERGE
 * grammar; only the NULL-safe equality differs.
 */
export function mergeIntoSql(
  d: MergeDialect,
  nullSafeEq: (a: string, b: string) => string,
  target: RelationName,
  source: RelationName,
  keys: readonly string[],
  updateColumns: readonly string[],
  insertColumns: readonly string[],
): string {
  const q = (c: string): string => d.quoteIdentifier(c);
  const lines = [
    `MERGE INTO ${d.relation(target)} AS t`,
    `USING ${d.relation(source)} AS s`,
    `ON ${keyMatch(d, keys, nullSafeEq)}`,
  ];
  if (updateColumns.length > 0) {
    lines.push(
      `WHEN MATCHED THEN UPDATE SET ${updateColumns.map((c) => `${q(c)} = s.${q(c)}`).join(', ')}`,
    );
  }
  lines.push(
    `WHEN NOT MATCHED THEN INSERT (${insertColumns.map(q).join(', ')}) VALUES (${insertColumns.map((c) => `s.${q(c)}`).join(', ')})`,
  );
  return lines.join('\n');
}

/**
 * The SCD2 change set as ONE MERGE (same text on DuckDB and Delta): rows of the staged source
 * whose merge key matches a current version close it; rows with a NULL merge key insert.
 */
export function snapshotMergeSql(
  d: MergeDialect,
  target: RelationName,
  stagedSourceSql: string,
  spec: SnapshotMergeSpec,
): string {
  const q = (c: string): string => d.quoteIdentifier(c);
  const set = spec.closeSet.map((c) => `${q(c.column)} = ${c.expr}`).join(',\n  ');
  const cols = spec.insert.map((c) => q(c.column)).join(', ');
  const vals = spec.insert.map((c) => c.expr).join(',\n  ');
  return [
    `MERGE INTO ${d.relation(target)} AS t`,
    `USING (\n${stagedSourceSql}\n) AS s`,
    `ON t.${q(spec.scdIdColumn)} = s.${q(spec.mergeKeyColumn)} AND t.${q(spec.isCurrentColumn)}`,
    `WHEN MATCHED THEN UPDATE SET\n  ${set}`,
    `WHEN NOT MATCHED THEN INSERT (${cols})\nVALUES (\n  ${vals}\n)`,
  ].join('\n');
}

import type { RelationName } from '../compiler/manifest.js';
import type { Dialect, SnapshotMergeSpec } from '../dialects/dialect.js';
import type { SnapshotSpec } from './snapshot-config.js';
import { metaColumnList } from './snapshot-config.js';
import type { SnapshotSchemaPlan } from './snapshot-schema.js';

/**
 * SQL text of a snapshot run. All builders are pure; `now` is the SQL expression of the snapshot
 * time (the dialect's current timestamp, or a literal in tests) — evaluated inside the one
 * statement, so every row of a run gets the same value.
 */
export interface SnapshotSqlContext {
  readonly dialect: Dialect;
  readonly spec: SnapshotSpec;
  readonly target: RelationName;
  readonly selectSql: string;
  readonly now: string;
}

const lower = (s: string): string => s.toLowerCase();

function ts(ctx: SnapshotSqlContext, expr: string): string {
  return `CAST(${expr} AS ${ctx.dialect.type('timestamp')})`;
}

function currentValidTo(ctx: SnapshotSqlContext): string {
  return ctx.spec.validToCurrent ?? `CAST(NULL AS ${ctx.dialect.type('timestamp')})`;
}

/** `SELECT <keys>, count(*) … HAVING count(*) > 1 LIMIT 10`: rows mean the batch is unusable. */
export function duplicateKeysSql(ctx: SnapshotSqlContext): string {
  const q = (c: string): string => ctx.dialect.quoteIdentifier(c);
  const keys = ctx.spec.uniqueKey.map((k) => `s.${q(k)}`).join(', ');
  return [
    `SELECT ${keys}, count(*) AS __mdl_count`,
    `FROM (\n${ctx.selectSql}\n) AS s`,
    `GROUP BY ${keys}`,
    'HAVING count(*) > 1',
    `ORDER BY ${keys}`,
    'LIMIT 10',
  ].join('\n');
}

/** First run: the table is the batch with one open version per key. */
export function initialSelectSql(ctx: SnapshotSqlContext, plan: SnapshotSchemaPlan): string {
  const d = ctx.dialect;
  const q = (c: string): string => d.quoteIdentifier(c);
  const m = ctx.spec.meta;
  const from =
    ctx.spec.strategy.kind === 'timestamp'
      ? `COALESCE(${ts(ctx, `s.${q(ctx.spec.strategy.updatedAt)}`)}, ${ctx.now})`
      : ctx.now;
  const updated = ctx.spec.strategy.kind === 'timestamp' ? from : ctx.now;
  const meta: Record<string, string> = {
    [m.scd_id]: d.hashExpressions([...ctx.spec.uniqueKey.map((k) => `s.${q(k)}`), from]),
    [m.valid_from]: from,
    [m.valid_to]: currentValidTo(ctx),
    [m.is_current]: 'TRUE',
    [m.updated_at]: updated,
    [m.is_deleted]: 'FALSE',
    [m.inserted_at]: ctx.now,
    [m.modified_at]: ctx.now,
  };
  const cols = [
    ...plan.columns.map((c) => `s.${q(c.name)}`),
    ...metaColumnList(ctx.spec).map((name) => `${meta[name] ?? 'NULL'} AS ${q(name)}`),
  ];
  return `SELECT\n  ${cols.join(',\n  ')}\nFROM (\n${ctx.selectSql}\n) AS s`;
}

/**
 * The staged change set for {@link Dialect.snapshotMerge}. One pass joins the batch to the current
 * versions and classifies each key:
 * - `insert`: key has no current version (new, or returning after `invalidate`);
 * - `reopen`: current version is a deleted marker (`new_record`): close it, open a new version;
 * - `update`: key changed (timestamp newer than the current version's, or a check column
 *   IS DISTINCT FROM): close the current version, open a new one;
 * - `delete`: key missing from the batch (`invalidate`/`new_record`): close, and for
 *   `new_record` open a deleted marker carrying the last values.
 * Each classified row is emitted once or twice by joining a two-row table: as a "close" row
 * (merge key = the current version's scd_id) and/or an "open" row (merge key NULL → insert).
 */
export function stagedChangesSql(ctx: SnapshotSqlContext, plan: SnapshotSchemaPlan): string {
  const d = ctx.dialect;
  const q = (c: string): string => d.quoteIdentifier(c);
  const { spec } = ctx;
  const m = spec.meta;
  const rel = d.relation(ctx.target);
  const keys = spec.uniqueKey;
  const keyLower = new Set(keys.map(lower));
  const detectDeletes = spec.hardDeletes !== 'ignore';
  const newRecord = spec.hardDeletes === 'new_record';
  const timestampKind = spec.strategy.kind === 'timestamp';
  // Returning keys after `invalidate` must start after their last closed version.
  const needLast = timestampKind && spec.hardDeletes === 'invalidate';

  // Target columns the join needs from the current version (aliased by position: no clashes).
  const curData = plan.columns.filter(
    (c) =>
      c.inTarget &&
      !keyLower.has(lower(c.name)) &&
      (newRecord || plan.compareColumns.some((x) => lower(x) === lower(c.name))),
  );
  const curAlias = new Map(curData.map((c, i) => [lower(c.name), `__mdl_c${i}`]));
  const keyJoin = (a: string, b: string): string =>
    keys.map((k) => d.nullSafeEquals(`${a}.${q(k)}`, `${b}.${q(k)}`)).join(' AND ');

  const ctes: string[] = [];
  ctes.push(
    `__mdl_src AS (\n  SELECT *, TRUE AS __mdl_present FROM (\n${ctx.selectSql}\n  ) AS b\n)`,
  );
  const curCols = [
    ...keys.map((k) => q(k)),
    `${q(m.scd_id)} AS __mdl_cur_scd_id`,
    `${q(m.valid_from)} AS __mdl_cur_valid_from`,
    `${q(m.updated_at)} AS __mdl_cur_updated_at`,
    newRecord
      ? `COALESCE(${q(m.is_deleted)}, FALSE) AS __mdl_cur_deleted`
      : 'FALSE AS __mdl_cur_deleted',
    ...curData.map((c) => `${q(c.name)} AS ${curAlias.get(lower(c.name)) ?? ''}`),
  ];
  ctes.push(
    `__mdl_cur AS (\n  SELECT ${curCols.join(', ')}\n  FROM ${rel}\n  WHERE ${q(m.is_current)}\n)`,
  );
  if (needLast) {
    ctes.push(
      `__mdl_last AS (\n  SELECT ${keys.map((k) => q(k)).join(', ')}, max(${q(m.valid_to)}) AS __mdl_last_valid_to\n` +
        `  FROM ${rel}\n  WHERE NOT ${q(m.is_current)}\n  GROUP BY ${keys.map((k) => q(k)).join(', ')}\n)`,
    );
  }

  // Classification.
  const srcTs = timestampKind ? ts(ctx, `s.${q(spec.strategy.updatedAt)}`) : undefined;
  const changed =
    srcTs !== undefined
      ? `${srcTs} > c.__mdl_cur_updated_at`
      : plan.compareColumns.length === 0
        ? 'FALSE'
        : plan.compareColumns
            .map((col) => d.isDistinctFrom(`s.${q(col)}`, `c.${curAlias.get(lower(col)) ?? ''}`))
            .join('\n      OR ');
  const action = [
    'CASE',
    ...(detectDeletes
      ? [
          "    WHEN s.__mdl_present IS NULL THEN CASE WHEN NOT c.__mdl_cur_deleted THEN 'delete' END",
        ]
      : []),
    "    WHEN c.__mdl_cur_scd_id IS NULL THEN 'insert'",
    "    WHEN c.__mdl_cur_deleted THEN 'reopen'",
    `    WHEN ${changed} THEN 'update'`,
    '  END',
  ].join('\n');

  // Start of the new version (= end of the closed one). Timestamp strategy: the source's change
  // time, unless it is not after the period it would follow (a returning key), then the snapshot
  // time. Deletes happen at the snapshot time (never before the version they close started).
  let openAt = ctx.now;
  if (srcTs !== undefined) {
    const boundary = needLast
      ? 'COALESCE(c.__mdl_cur_valid_from, l.__mdl_last_valid_to)'
      : 'c.__mdl_cur_valid_from';
    openAt = `CASE WHEN ${srcTs} IS NULL THEN ${ctx.now} WHEN ${boundary} IS NULL OR ${srcTs} > ${boundary} THEN ${srcTs} ELSE ${ctx.now} END`;
  }
  const deleteAt = `GREATEST(${ctx.now}, c.__mdl_cur_valid_from)`;
  // Key columns exist on both sides of the FULL JOIN; deleted keys only have the current side.
  const keyCols = keys.map(
    (k, i) => `CASE WHEN s.__mdl_present IS NULL THEN c.${q(k)} ELSE s.${q(k)} END AS __mdl_k${i}`,
  );
  ctes.push(
    [
      '__mdl_classified AS (',
      '  SELECT s.*,',
      '  c.__mdl_cur_scd_id, c.__mdl_cur_deleted,',
      ...curData.map((c) => `  c.${curAlias.get(lower(c.name)) ?? ''},`),
      `  ${keyCols.join(',\n  ')},`,
      `  ${action} AS __mdl_action,`,
      `  CASE WHEN s.__mdl_present IS NULL THEN ${deleteAt} ELSE ${openAt} END AS __mdl_at,`,
      `  ${srcTs ?? ctx.now} AS __mdl_src_updated_at`,
      '  FROM __mdl_src AS s',
      `  ${detectDeletes ? 'FULL OUTER JOIN' : 'LEFT JOIN'} __mdl_cur AS c ON ${keyJoin('s', 'c')}`,
      ...(needLast ? [`  LEFT JOIN __mdl_last AS l ON ${keyJoin('s', 'l')}`] : []),
      ')',
    ].join('\n'),
  );

  // Staged rows: values of the new version (deleted markers carry the last known values).
  const staged: string[] = [
    'CASE WHEN r.__mdl_close THEN j.__mdl_cur_scd_id END AS __mdl_merge_key',
    'j.__mdl_at',
    "j.__mdl_action = 'delete' AS __mdl_deleted",
    `CASE WHEN j.__mdl_action = 'delete' THEN ${ctx.now} ELSE j.__mdl_src_updated_at END AS __mdl_updated_at`,
  ];
  plan.columns.forEach((c, i) => {
    const keyPos = keys.findIndex((k) => lower(k) === lower(c.name));
    const fromSrc = c.inSource ? `j.${q(c.name)}` : 'NULL';
    const cur = curAlias.get(lower(c.name));
    const value =
      keyPos >= 0
        ? `j.__mdl_k${keyPos}`
        : newRecord && cur !== undefined
          ? `CASE WHEN j.__mdl_action = 'delete' THEN j.${cur} ELSE ${fromSrc} END`
          : fromSrc;
    staged.push(`${value} AS __mdl_v${i}`);
  });
  const opens = ["'insert'", "'update'", "'reopen'", ...(newRecord ? ["'delete'"] : [])];
  const closes = ["'update'", "'reopen'", ...(detectDeletes ? ["'delete'"] : [])];
  return [
    `WITH ${ctes.join(',\n')}`,
    `SELECT ${staged.join(',\n  ')}`,
    'FROM __mdl_classified AS j',
    'JOIN (VALUES (TRUE), (FALSE)) AS r(__mdl_close)',
    `  ON (r.__mdl_close AND j.__mdl_action IN (${closes.join(', ')}))`,
    `  OR (NOT r.__mdl_close AND j.__mdl_action IN (${opens.join(', ')}))`,
  ].join('\n');
}

/** MERGE spec: how closed versions are updated and new versions inserted from the staged rows. */
export function mergeSpec(ctx: SnapshotSqlContext, plan: SnapshotSchemaPlan): SnapshotMergeSpec {
  const d = ctx.dialect;
  const m = ctx.spec.meta;
  const keyIdx = ctx.spec.uniqueKey.map((k) =>
    plan.columns.findIndex((c) => lower(c.name) === lower(k)),
  );
  const insert: { column: string; expr: string }[] = plan.columns.map((c, i) => ({
    column: c.name,
    expr: `s.__mdl_v${i}`,
  }));
  const meta: Record<string, string> = {
    [m.scd_id]: d.hashExpressions([...keyIdx.map((i) => `s.__mdl_v${i}`), 's.__mdl_at']),
    [m.valid_from]: 's.__mdl_at',
    [m.valid_to]: currentValidTo(ctx),
    [m.is_current]: 'TRUE',
    [m.updated_at]: 's.__mdl_updated_at',
    [m.is_deleted]: 's.__mdl_deleted',
    [m.inserted_at]: ctx.now,
    [m.modified_at]: ctx.now,
  };
  for (const name of metaColumnList(ctx.spec))
    insert.push({ column: name, expr: meta[name] ?? 'NULL' });
  return {
    mergeKeyColumn: '__mdl_merge_key',
    scdIdColumn: m.scd_id,
    isCurrentColumn: m.is_current,
    closeSet: [
      { column: m.valid_to, expr: 's.__mdl_at' },
      { column: m.is_current, expr: 'FALSE' },
      { column: m.modified_at, expr: ctx.now },
    ],
    insert,
  };
}

import type { RelationName } from '../compiler/manifest.js';
import type { Connection, Row } from '../connections/connection.js';
import type { ColumnDef, Dialect } from '../dialects/dialect.js';
import type { RelationState } from '../materializations/strategy.js';
import {
  relationKey,
  schemaKey,
  TEMP_MARKER,
  type Introspection,
  type StaleTempRelation,
} from './adapter.js';

/** A result cell as text ('' for NULL / non-scalar values). */
export function cellText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return '';
}

/** Columns from `DESCRIBE TABLE` / `DESCRIBE QUERY` rows: stops at the first blank or `#` row. */
export function columnsFromDescribe(rows: readonly Row[]): ColumnDef[] {
  const out: ColumnDef[] = [];
  for (const r of rows) {
    const name = cellText(r.col_name);
    if (name === '' || name.startsWith('#')) break;
    out.push({ name, type: cellText(r.data_type) });
  }
  return out;
}

/** Names of the schemas from `SHOW SCHEMAS` rows (`namespace` on Spark, `databaseName` on older). */
export function schemasFromRows(rows: readonly Row[]): string[] {
  return rows.map((r) =>
    cellText(r.namespace ?? r.databaseName ?? r.schema_name ?? Object.values(r)[0]),
  );
}

/**
 * Introspection on Spark-family engines with statements every version has: `SHOW SCHEMAS`, then
 * per schema `SHOW TABLES` + `SHOW VIEWS`, then `DESCRIBE TABLE` for the relations asked about
 * (and mdl temp leftovers). Spark 3.5 has no information_schema, so this is several statements
 * on ONE session rather than one query.
 */
export async function introspectSpark(
  conn: Connection,
  dialect: Dialect,
  relations: readonly RelationName[],
  catalog: string | undefined,
): Promise<Introspection> {
  const q = (s: string): string => dialect.quoteIdentifier(s);
  const inCatalog = catalog === undefined ? '' : ` IN ${q(catalog)}`;
  const existing = new Set(
    schemasFromRows(await conn.query(`SHOW SCHEMAS${inCatalog}`)).map((s) => s.toLowerCase()),
  );
  const schemas = new Set<string>();
  for (const s of existing) {
    schemas.add(schemaKey(undefined, s));
    if (catalog !== undefined) schemas.add(schemaKey(catalog, s));
  }
  const wanted = new Set(relations.map((r) => relationKey(r)));
  const bySchema = new Map<string, RelationName[]>();
  for (const r of relations) {
    const k = r.schema.toLowerCase();
    if (!existing.has(k)) continue;
    const list = bySchema.get(k) ?? [];
    list.push(r);
    bySchema.set(k, list);
  }
  const found = new Map<string, RelationState>();
  const staleTemps = new Map<string, StaleTempRelation[]>();
  for (const [schema, rels] of bySchema) {
    const first = rels[0]!;
    const ns =
      first.catalog === undefined ? q(first.schema) : `${q(first.catalog)}.${q(first.schema)}`;
    const tables = await conn.query(`SHOW TABLES IN ${ns}`);
    const views = new Set(
      (await conn.query(`SHOW VIEWS IN ${ns}`)).map((r) =>
        cellText(r.viewName ?? r.name).toLowerCase(),
      ),
    );
    for (const t of tables) {
      if (t.isTemporary === true) continue;
      const name = cellText(t.tableName ?? t.name);
      const kind: 'table' | 'view' = views.has(name.toLowerCase()) ? 'view' : 'table';
      const rel: RelationName = {
        ...(first.catalog === undefined ? {} : { catalog: first.catalog }),
        schema,
        identifier: name,
      };
      const marker = name.indexOf(TEMP_MARKER);
      if (marker > 0) {
        const owner = relationKey({ ...rel, identifier: name.slice(0, marker) });
        const list = staleTemps.get(owner) ?? [];
        list.push({ relation: rel, kind });
        staleTemps.set(owner, list);
        continue;
      }
      const key = relationKey(rel);
      if (!wanted.has(key)) continue;
      const columns = columnsFromDescribe(
        await conn.query(`DESCRIBE TABLE ${dialect.relation(rel)}`),
      );
      found.set(key, { exists: true, kind, columns });
    }
  }
  // Callers look relations up with the catalog they were given; register both spellings.
  const relationsOut = new Map<string, RelationState>();
  for (const r of relations) {
    const st =
      found.get(relationKey(r)) ??
      found.get(relationKey({ schema: r.schema.toLowerCase(), identifier: r.identifier }));
    if (st !== undefined) relationsOut.set(relationKey(r), st);
  }
  return { relations: relationsOut, staleTemps, schemas };
}

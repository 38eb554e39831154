import type { ColumnInfo, NodeConfig, RelationName } from '../compiler/manifest.js';
import { MdlError } from '../errors/mdl-error.js';
import type { DatabricksDialect } from './databricks-dialect.js';

/** One privilege held by one principal on a table. */
export interface GrantRow {
  readonly principal: string;
  /** Upper case, e.g. `SELECT`, `MODIFY`. */
  readonly privilege: string;
}

/** What to grant and what to revoke so the table ends up with exactly the configured grants. */
export interface GrantDiff {
  readonly grant: readonly GrantRow[];
  readonly revoke: readonly GrantRow[];
}

/** Privileges that are never revoked: ownership is not a grant mdl manages. */
const UNMANAGED = new Set(['OWN', 'OWNERSHIP']);

const key = (g: GrantRow): string => `${g.privilege}\u0000${g.principal}`;

/**
 * Pure diff of configured grants (`grants: {select: [analysts]}` in dbt's shape) against the
 * current ones: grant what is missing, revoke what is no longer configured. Privileges compare
 * case-insensitively, principals exactly; output is sorted so statements are stable.
 */
export function diffGrants(
  configured: Readonly<Record<string, readonly string[]>>,
  current: readonly GrantRow[],
): GrantDiff {
  const want = new Map<string, GrantRow>();
  for (const [privilege, principals] of Object.entries(configured)) {
    for (const principal of principals) {
      const g = { principal, privilege: privilege.toUpperCase().replaceAll('_', ' ') };
      want.set(key(g), g);
    }
  }
  const have = new Map<string, GrantRow>();
  for (const g of current) {
    const norm = { principal: g.principal, privilege: g.privilege.toUpperCase() };
    if (!UNMANAGED.has(norm.privilege)) have.set(key(norm), norm);
  }
  const order = (a: GrantRow, b: GrantRow): number => key(a).localeCompare(key(b));
  return {
    grant: [...want.values()].filter((g) => !have.has(key(g))).sort(order),
    revoke: [...have.values()].filter((g) => !want.has(key(g))).sort(order),
  };
}

/** `SHOW GRANTS ON TABLE` rows → direct grants on that table (inherited ones are not ours to revoke). */
export function grantsFromShowRows(rows: readonly Readonly<Record<string, unknown>>[]): GrantRow[] {
  const out: GrantRow[] = [];
  for (const r of rows) {
    const principal = r.Principal ?? r.principal;
    const privilege = r.ActionType ?? r.action_type ?? r.privilege;
    const rawType = r.ObjectType ?? r.object_type ?? 'TABLE';
    const objectType = typeof rawType === 'string' ? rawType.toUpperCase() : 'TABLE';
    if (typeof principal !== 'string' || typeof privilege !== 'string') continue;
    if (objectType !== 'TABLE') continue;
    out.push({ principal, privilege: privilege.toUpperCase() });
  }
  return out;
}

/** Governance settings of one node, read from its config and column meta. */
export interface GovernanceConfig {
  readonly grants?: Readonly<Record<string, readonly string[]>>;
  /** Columns with `meta: {phi: true}` (masked unless the reader is in `unmaskedGroup`). */
  readonly phiColumns: readonly string[];
  readonly unmaskedGroup: string;
  readonly rowFilter?: { readonly function: string; readonly columns: readonly string[] };
  readonly tags?: Readonly<Record<string, string>>;
  readonly columnTags: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

function stringRecord(v: unknown, what: string, node: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new MdlError('E_CONFIG', `${what} must be a mapping of tag → value`, {
      node,
      hint: "write e.g. databricks_tags: {domain: 'revenue-cycle'}",
    });
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = String(val);
  return out;
}

/** Reads `grants`, PHI columns, `phi_unmasked_group`, `row_filter`, `databricks_tags` (pure). */
export function governanceConfig(
  nodeId: string,
  config: NodeConfig,
  columns: Readonly<Record<string, ColumnInfo>>,
): GovernanceConfig {
  const phiColumns = Object.values(columns)
    .filter((c) => c.meta.phi === true)
    .map((c) => c.name);
  const group = config.phi_unmasked_group;
  const rf = config.row_filter as { function?: unknown; columns?: unknown } | undefined;
  let rowFilter: GovernanceConfig['rowFilter'];
  if (rf !== undefined && rf !== null) {
    const cols = rf.columns;
    if (
      typeof rf.function !== 'string' ||
      !Array.isArray(cols) ||
      !cols.every((c) => typeof c === 'string')
    ) {
      throw new MdlError(
        'E_CONFIG',
        "config 'row_filter' needs a function name and a list of columns",
        {
          node: nodeId,
          hint: 'write row_filter: {function: main.governance.by_datasource, columns: [datasource]}',
        },
      );
    }
    rowFilter = { function: rf.function, columns: cols };
  }
  const columnTags: Record<string, Record<string, string>> = {};
  for (const c of Object.values(columns)) {
    const t = stringRecord(c.meta.databricks_tags, `column ${c.name} meta.databricks_tags`, nodeId);
    if (t !== undefined) columnTags[c.name] = t;
  }
  const tags = stringRecord(config.databricks_tags, 'databricks_tags', nodeId);
  return {
    ...(config.grants === undefined ? {} : { grants: config.grants }),
    phiColumns,
    unmaskedGroup: typeof group === 'string' && group !== '' ? group : 'phi_readers',
    ...(rowFilter === undefined ? {} : { rowFilter }),
    ...(tags === undefined ? {} : { tags }),
    columnTags,
  };
}

/** The mask function for a column type, one per schema: `<catalog>.<schema>.mdl_mask_<type>`. */
export function maskFunctionFor(rel: RelationName, columnType: string): RelationName {
  const slug = columnType
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return {
    ...(rel.catalog === undefined ? {} : { catalog: rel.catalog }),
    schema: rel.schema,
    identifier: `mdl_mask_${slug}`,
  };
}

/** A labelled governance statement. */
export interface GovernanceStep {
  readonly sql: string;
  readonly label: string;
}

/**
 * Statements that bring a freshly built table to its configured governance state; run after
 * every build (a rebuild may drop masks, filters and tags). `columnTypes` maps the table's
 * columns to engine types (from introspection); `currentGrants` comes from SHOW GRANTS.
 */
export function governanceSteps(
  d: DatabricksDialect,
  rel: RelationName,
  kind: 'table' | 'view',
  cfg: GovernanceConfig,
  columnTypes: Readonly<Record<string, string>>,
  currentGrants: readonly GrantRow[],
): GovernanceStep[] {
  const steps: GovernanceStep[] = [];
  if (kind === 'table') {
    const fnsCreated = new Set<string>();
    for (const col of cfg.phiColumns) {
      const type = Object.entries(columnTypes).find(
        ([n]) => n.toLowerCase() === col.toLowerCase(),
      )?.[1];
      if (type === undefined) {
        throw new MdlError(
          'E_CONFIG',
          `PHI column '${col}' is not a column of ${d.relation(rel)}`,
          {
            hint: 'fix the column name under columns: in the YAML properties (meta: {phi: true})',
          },
        );
      }
      const fn = maskFunctionFor(rel, type);
      const fnKey = d.relation(fn);
      if (!fnsCreated.has(fnKey)) {
        fnsCreated.add(fnKey);
        steps.push({
          sql: d.createMaskFunction(fn, type, cfg.unmaskedGroup),
          label: `mask function ${fn.identifier}`,
        });
      }
      steps.push({ sql: d.setColumnMask(rel, col, fn), label: `mask ${col}` });
    }
    if (cfg.rowFilter !== undefined) {
      steps.push({
        sql: d.setRowFilter(rel, cfg.rowFilter.function, cfg.rowFilter.columns),
        label: 'row filter',
      });
    }
    for (const [col, tags] of Object.entries(cfg.columnTags)) {
      if (Object.keys(tags).length > 0)
        steps.push({ sql: d.setColumnTags(rel, col, tags), label: `tags on ${col}` });
    }
  }
  if (cfg.tags !== undefined && Object.keys(cfg.tags).length > 0) {
    steps.push({ sql: d.setTags(rel, cfg.tags, kind), label: 'tags' });
  }
  if (cfg.grants !== undefined) {
    const diff = diffGrants(cfg.grants, currentGrants);
    for (const g of diff.revoke)
      steps.push({ sql: d.revoke(rel, g.privilege, g.principal), label: `revoke ${g.privilege}` });
    for (const g of diff.grant)
      steps.push({ sql: d.grant(rel, g.privilege, g.principal), label: `grant ${g.privilege}` });
  }
  return steps;
}

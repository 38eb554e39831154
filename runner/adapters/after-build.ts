import type { ModelNode, SeedNode, SnapshotNode } from '../compiler/manifest.js';
import type { Connection } from '../connections/connection.js';
import { relationDocs } from '../dialects/table-options.js';
import type { Adapter } from './adapter.js';

/** Adapters that manage grants / masks / tags after a build (Databricks). */
interface GovernedAdapter extends Adapter {
  applyGovernance(
    conn: Connection,
    node: ModelNode | SeedNode | SnapshotNode,
    kind: 'table' | 'view',
  ): Promise<readonly { readonly label: string }[]>;
}

function isGoverned(a: Adapter): a is GovernedAdapter {
  return typeof (a as Partial<GovernedAdapter>).applyGovernance === 'function';
}

/** dbt's `persist_docs: {relation: true, columns: true}` (off unless configured). */
function persistDocsConfig(node: ModelNode | SeedNode | SnapshotNode): {
  relation: boolean;
  columns: boolean;
} {
  const raw = node.config.persist_docs;
  if (typeof raw !== 'object' || raw === null) return { relation: false, columns: false };
  const r = raw as { relation?: unknown; columns?: unknown };
  return { relation: r.relation === true, columns: r.columns === true };
}

/**
 * What runs after a node's relation was built, on the same connection: table/column comments
 * from the YAML descriptions when `persist_docs` asks for them (every dialect), then grants, PHI
 * column masks, row filters and tags on engines that manage them (Databricks; re-applied after
 * every rebuild). Returns short labels for the run log — never values.
 */
export async function afterBuild(
  adapter: Adapter,
  conn: Connection,
  node: ModelNode | SeedNode | SnapshotNode,
  kind: 'table' | 'view',
): Promise<readonly string[]> {
  const labels: string[] = [];
  const persist = persistDocsConfig(node);
  if (persist.relation || persist.columns) {
    const docs = relationDocs(node.description, node.columns);
    const statements = adapter.dialect.persistDocs(node.relation, kind, {
      ...(persist.relation && docs.description !== undefined
        ? { description: docs.description }
        : {}),
      columns: persist.columns ? docs.columns : {},
    });
    for (const sql of statements) await conn.execute(sql);
    if (statements.length > 0) labels.push(`persist docs (${statements.length})`);
  }
  if (isGoverned(adapter)) {
    for (const s of await adapter.applyGovernance(conn, node, kind)) labels.push(s.label);
  }
  return labels;
}

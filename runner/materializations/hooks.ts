import type { ModelNode, SeedNode, SnapshotNode } from '../compiler/manifest.js';
import type { Dialect } from '../dialects/dialect.js';
import { MdlError } from '../errors/mdl-error.js';
import type { SqlStep } from './strategy.js';

/**
 * `pre_hook` / `post_hook` statements of a node as plan steps. Hooks run on the node's
 * connection, outside the materialization's transaction (like dbt's default). The only template
 * they may use is `{{ this }}` (the node's relation); anything else is E_CONFIG, because hooks
 * are not rendered by the compiler and a raw `{{ … }}` would only fail later as a SQL syntax error.
 */
export function hookSteps(
  node: ModelNode | SeedNode | SnapshotNode,
  dialect: Dialect,
  which: 'pre_hook' | 'post_hook',
): readonly SqlStep[] {
  const raw: unknown = node.config[which];
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.map(String) : [];
  const self = dialect.relation(node.relation);
  return list
    .map((sql) => sql.trim())
    .filter((sql) => sql !== '')
    .map((sql, i) => {
      const rendered = sql.replace(/\{\{\s*this\s*\}\}/g, self);
      if (rendered.includes('{{') || rendered.includes('{%')) {
        throw new MdlError(
          'E_CONFIG',
          `${which} ${i + 1} of ${node.name} uses a template other than {{ this }}`,
          {
            node: node.uniqueId,
            file: node.originalFilePath,
            line: node.line,
            hint: 'write the hook as plain SQL; {{ this }} is replaced by the relation name',
          },
        );
      }
      return { sql: rendered, label: `${which.replace('_', '-')} ${i + 1}`, kind: 'exec' } as const;
    });
}

import { openAdapter } from '../../adapters/open-adapter.js';
import type { ModelNode, SeedNode, SnapshotNode, SourceNode } from '../../compiler/manifest.js';
import { MdlError } from '../../errors/mdl-error.js';
import { selectNodes } from '../../graph/select.js';
import { buildSelectSql } from '../../materializations/select-sql.js';
import type { Command } from '../command.js';
import { projectOptions, selectionOptions } from '../common-options.js';
import { loadAndCompile } from '../load-and-compile.js';
import { criteriaFrom } from './exec-common.js';

function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object')
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return (
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean'
        ? v.toString()
        : '?'
  ).replace(/\s+/g, ' ');
}

/** Fixed-width text table. */
export function formatTable(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, unknown>>[],
  maxWidth = 40,
): string {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const s = cell(r[c]);
      return s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: readonly string[]): string =>
    `| ${vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(columns), sep, ...cells.map(line)].join('\n');
}

/**
 * `mdl show --select x --limit n`: runs the model's compiled SELECT (ephemeral parents inlined)
 * and prints the first rows. This is an explicit request to look at data, the one place mdl
 * prints row values — to the terminal only, never to logs or artifacts.
 */
export const showCommand: Command = {
  name: 'show',
  summary: "Print the first rows of a model's compiled SELECT (an explicit request to view data)",
  usage:
    'Usage: mdl show --select <model> [--limit n] [--output table|json]\n\nRows go to stdout only; nothing is logged or written to target/.',
  options: {
    ...projectOptions,
    ...selectionOptions,
    limit: { type: 'string' },
    output: { type: 'string' },
  },
  async run(flags, _positionals, io) {
    const limit = flags.limit === undefined ? 5 : Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 0)
      throw new MdlError(
        'E_USAGE',
        `--limit must be a whole number ≥ 0 (got '${String(flags.limit)}')`,
      );
    const output = flags.output ?? 'table';
    if (output !== 'table' && output !== 'json')
      throw new MdlError('E_USAGE', `--output must be table or json`);
    const criteria = criteriaFrom(flags);
    if (criteria.select.length === 0)
      throw new MdlError('E_USAGE', 'mdl show needs --select <model>');
    const { project, manifest, target } = await loadAndCompile(flags, io);
    const ids = [...selectNodes(manifest, criteria, project.selectors)];
    const candidates = ids
      .map((id) => manifest.nodes[id])
      .filter(
        (n): n is ModelNode | SnapshotNode | SeedNode =>
          n !== undefined &&
          (n.resourceType === 'model' ||
            n.resourceType === 'snapshot' ||
            n.resourceType === 'seed'),
      );
    if (candidates.length !== 1) {
      throw new MdlError(
        'E_SELECTOR',
        `mdl show needs exactly one model, seed or snapshot; the selection matched ${candidates.length}`,
        {
          hint:
            candidates.length > 1
              ? `matched: ${candidates
                  .slice(0, 5)
                  .map((n) => n.name)
                  .join(', ')}`
              : 'check the model name',
        },
      );
    }
    const node = candidates[0]!;
    const adapter = await openAdapter(target, 1);
    try {
      const sources = Object.values(manifest.nodes).filter(
        (n): n is SourceNode => n.resourceType === 'source',
      );
      await adapter.createExternalSources(sources, project.dir);
      const sql =
        node.resourceType === 'seed'
          ? `SELECT * FROM ${adapter.dialect.relation(node.relation)}`
          : node.resourceType === 'snapshot'
            ? `SELECT * FROM ${adapter.dialect.relation(node.relation)}`
            : buildSelectSql(node, adapter.dialect, { incremental: false });
      const conn = await adapter.pool.acquire();
      try {
        const rows = await conn.query(`SELECT * FROM (\n${sql}\n) AS __mdl_show LIMIT ${limit}`);
        const columns =
          rows.length > 0
            ? Object.keys(rows[0]!)
            : (await adapter.describeSelect(conn, sql)).map((c) => c.name);
        if (output === 'json') {
          io.stdout(
            `${JSON.stringify(rows, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))}\n`,
          );
        } else {
          io.stdout(
            `Previewing ${node.name} (${rows.length} row${rows.length === 1 ? '' : 's'}, limit ${limit}):\n${formatTable(columns, rows)}\n`,
          );
        }
      } finally {
        adapter.pool.release(conn);
      }
    } finally {
      await adapter.close();
    }
    return 0;
  },
};

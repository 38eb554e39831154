import type { Manifest, ManifestNode } from '../compiler/manifest.js';
import { countStatuses } from '../execute/artifacts.js';
import type { InvocationEvent } from '../execute/invocation.js';
import type { NodeResult, NodeStatus, RunResults } from '../execute/run-result.js';
import type { CliIo } from './command.js';

/** How progress is shown: live line on a terminal, plain lines in logs/CI, JSON lines for tools. */
export type ProgressMode = 'tty' | 'plain' | 'json';

const LABEL: Readonly<Record<NodeStatus, string>> = {
  success: 'OK',
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  error: 'ERROR',
  skipped: 'SKIP',
  cancelled: 'CANCEL',
};

function kindOf(node: ManifestNode | undefined): string {
  if (node === undefined) return '?';
  switch (node.resourceType) {
    case 'model':
    case 'snapshot':
      return node.config.materialized;
    case 'seed':
      return 'seed';
    case 'test':
      return 'test';
    case 'source':
      return 'source';
  }
}

function displayName(node: ManifestNode | undefined, id: string): string {
  if (node === undefined) return id;
  if (node.resourceType === 'test') return node.name;
  return `${node.relation.schema}.${node.relation.identifier}`;
}

const numberFormat = new Intl.NumberFormat('en-US');
const fmtRows = (n: number): string => numberFormat.format(n);

/** One line describing a finished node (no row values: counts and timings only). */
export function resultLine(
  r: NodeResult,
  node: ManifestNode | undefined,
  index: number,
  total: number,
): string {
  const width = String(total).length;
  const pos = `${String(index).padStart(width)}/${total}`;
  const what = `${kindOf(node)} ${displayName(node, r.uniqueId)}`;
  const facts: string[] = [];
  if (r.rowsAffected !== undefined) facts.push(`${fmtRows(r.rowsAffected)} rows`);
  if (r.failures !== undefined && r.status !== 'pass') facts.push(`${fmtRows(r.failures)} failing`);
  if (r.quarantined !== undefined) facts.push(`${fmtRows(r.quarantined)} quarantined`);
  if (r.status !== 'skipped') facts.push(`${(r.executionTimeMs / 1000).toFixed(2)}s`);
  const first = (r.message ?? '').split('\n')[0] ?? '';
  const detail =
    r.status === 'error' || r.status === 'skipped' || r.status === 'cancelled' ? ` — ${first}` : '';
  return `${pos} ${LABEL[r.status].padEnd(6)} ${what}${facts.length === 0 ? '' : ` [${facts.join(', ')}]`}${detail}`;
}

/** Renders invocation events to the CLI's stdout. */
export class ProgressReporter {
  private readonly running = new Map<string, number>();
  private statusShown = false;

  constructor(
    private readonly io: CliIo,
    private readonly manifest: Manifest,
    private readonly mode: ProgressMode,
  ) {}

  handle(e: InvocationEvent): void {
    if (this.mode === 'json') {
      const payload =
        e.type === 'finish' ? { type: 'finish', index: e.index, total: e.total, ...e.result } : e;
      this.io.stdout(`${JSON.stringify(payload)}\n`);
      return;
    }
    switch (e.type) {
      case 'selected':
        this.io.stdout(
          `Running ${e.total} node${e.total === 1 ? '' : 's'} on target '${e.target}' with ${e.threads} thread${e.threads === 1 ? '' : 's'}\n`,
        );
        return;
      case 'warning':
        this.clearStatus();
        this.io.stdout(`warning: ${e.message}\n`);
        this.drawStatus();
        return;
      case 'start':
        this.running.set(e.id, e.total);
        this.drawStatus();
        return;
      case 'finish':
        this.running.delete(e.result.uniqueId);
        this.clearStatus();
        this.io.stdout(
          `${resultLine(e.result, this.manifest.nodes[e.result.uniqueId], e.index, e.total)}\n`,
        );
        this.drawStatus();
        return;
    }
  }

  private clearStatus(): void {
    if (this.mode === 'tty' && this.statusShown) {
      this.io.stdout('\r\x1b[2K');
      this.statusShown = false;
    }
  }

  private drawStatus(): void {
    if (this.mode !== 'tty' || this.running.size === 0) return;
    const names = [...this.running.keys()].map((id) => displayName(this.manifest.nodes[id], id));
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` +${names.length - 3}` : '');
    const cols = process.stdout.columns ?? 100;
    this.io.stdout(`\r\x1b[2K… running ${shown}`.slice(0, cols + 5));
    this.statusShown = true;
  }

  /** Summary table: counts per status, quarantined rows per model, and the failures. */
  summary(run: RunResults): void {
    this.clearStatus();
    const counts = countStatuses(run.results);
    if (this.mode === 'json') {
      this.io.stdout(`${JSON.stringify({ type: 'summary', elapsedMs: run.elapsedMs, counts })}\n`);
      return;
    }
    const parts = (Object.keys(counts) as NodeStatus[])
      .filter((k) => counts[k] > 0)
      .map((k) => `${LABEL[k]}=${counts[k]}`);
    const lines = [
      '',
      `Finished in ${(run.elapsedMs / 1000).toFixed(2)}s: ${parts.length === 0 ? 'nothing to do' : parts.join('  ')}`,
    ];
    const quarantined = run.results.filter((r) => r.quarantined !== undefined);
    if (quarantined.length > 0) {
      lines.push('', 'Quarantined rows per model:');
      const w = Math.max(
        ...quarantined.map((r) => displayName(this.manifest.nodes[r.uniqueId], r.uniqueId).length),
      );
      for (const r of quarantined) {
        lines.push(
          `  ${displayName(this.manifest.nodes[r.uniqueId], r.uniqueId).padEnd(w)}  ${fmtRows(r.quarantined ?? 0).padStart(10)}`,
        );
      }
    }
    const bad = run.results.filter(
      (r) => r.status === 'error' || r.status === 'fail' || r.status === 'warn',
    );
    if (bad.length > 0) {
      lines.push('', 'Problems:');
      for (const r of bad) {
        const msg = (r.message ?? '').replace(/\n/g, '\n      ');
        lines.push(
          `  ${LABEL[r.status]} ${r.uniqueId}: ${r.errorCode === undefined ? '' : `${r.errorCode} `}${msg}`,
        );
      }
    }
    this.io.stdout(`${lines.join('\n')}\n`);
  }
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ManifestNode } from '../../runner/compiler/manifest.js';
import type { Connection } from '../../runner/connections/connection.js';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';
import { runInvocation, type ExecCommand } from '../../runner/execute/invocation.js';
import type { NodeResult } from '../../runner/execute/run-result.js';
import type { DuckDbTarget } from '../../runner/project/types.js';
import { duckTarget, fakeProject, manifestFromNodes } from './node-factory.js';

/** A temp dir with a DuckDB file, running hand-made nodes through the real executor. */
export class ExecHarness {
  readonly dir: string;
  readonly target: DuckDbTarget;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-exec-'));
    this.target = duckTarget(this.dir);
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async withDb<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await openDuckDb(this.target);
    try {
      return await fn(c);
    } finally {
      await c.close();
    }
  }

  async sql(...stmts: string[]): Promise<void> {
    await this.withDb(async (c) => {
      for (const s of stmts) await c.execute(s);
    });
  }

  rows(q: string): Promise<readonly Record<string, unknown>[]> {
    return this.withDb((c) => c.query(q));
  }

  /** Row count + an order-independent content hash of a relation. */
  async fingerprint(rel: string): Promise<{ n: number; hash: string }> {
    const r = await this.rows(
      `SELECT count(*) AS n, md5(coalesce(string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR)), '')) AS h FROM ${rel} AS t`,
    );
    return { n: Number(r[0]!.n), hash: String(r[0]!.h) };
  }

  /** Names of visible relations containing `__mdl_` (temp relations). */
  async tempRelations(): Promise<string[]> {
    const r = await this.rows(
      "SELECT table_name FROM information_schema.tables WHERE contains(table_name, '__mdl_')",
    );
    return r.map((x) => String(x.table_name));
  }

  /** Writes a file under the project dir; returns its relative path. */
  write(rel: string, content: string | Buffer): string {
    const p = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return rel;
  }

  async run(
    nodes: ManifestNode[],
    command: ExecCommand = 'build',
    extra: { fullRefresh?: boolean; failFast?: boolean; threads?: number } = {},
  ): Promise<Map<string, NodeResult>> {
    const out = await runInvocation({
      command,
      project: fakeProject(this.dir, this.target),
      manifest: manifestFromNodes(nodes),
      target: this.target,
      criteria: { select: [], exclude: [] },
      threads: extra.threads ?? 2,
      failFast: extra.failFast ?? false,
      fullRefresh: extra.fullRefresh ?? false,
      args: {},
    });
    return new Map(out.runResults.results.map((r) => [r.uniqueId, r]));
  }
}

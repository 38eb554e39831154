/**
 * Parity (issue 7 acceptance): the healthcare project built on DuckDB and on the local Spark Thrift
 * Server + Delta from the SAME bronze files produces identical silver and gold tables — same row
 * count and the same content hash per table after a canonical ordering (wall-clock audit columns
 * excluded) — day 0 → day 1 → day 2. Shares its logic with `npm run bench:spark`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HealthcareParityRun,
  describeVerdict,
  verdictMatches,
  type DayReport,
} from '../../bench/lib/healthcare-parity.js';
import {
  requireSparkOrReport,
  sparkAvailable,
  sparkHost,
  sparkPort,
} from '../integration/spark-service.js';

const repo = path.resolve(import.meta.dirname, '..', '..');
/** Small enough that three days on both engines fit in a few minutes on 2 cores. */
const SCALE = 2_000;
const DAYS = [0, 1, 2] as const;
const DAY_TIMEOUT_MS = 150_000;

requireSparkOrReport('healthcare parity DuckDB ↔ Spark');

describe.runIf(sparkAvailable)('healthcare parity DuckDB ↔ Spark (scale 2000, day 0 → 2)', () => {
  let parity: HealthcareParityRun | undefined;
  let expected: readonly string[] = [];

  beforeAll(async () => {
    // The CLI and the generator run from their bundles (npm test builds them first).
    for (const f of ['dist/mdl.js', 'dist/demo-generate.js'])
      if (!fs.existsSync(path.join(repo, f)))
        throw new Error(`${f} is missing: run \`node scripts/build.mjs\` first`);
    parity = await HealthcareParityRun.start({
      root: repo,
      sparkHost: sparkHost ?? '127.0.0.1',
      sparkPort,
      scale: SCALE,
      seed: 42,
      // Every table is hashed in full at this scale: no count-only shortcut.
      maxContentRows: Number.MAX_SAFE_INTEGER,
      // The project's data tests write no tables and cost ~100 Spark statements a day; the
      // healthcare e2e suite runs them on DuckDB.
      dataTests: false,
    });
    expected = await parity.expectedTables();
  });

  afterAll(async () => {
    await parity?.close();
  });

  it('the manifest names silver and gold tables to compare', () => {
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.some((t) => t.startsWith('silver.'))).toBe(true);
    expect(expected.some((t) => t.startsWith('gold.'))).toBe(true);
  });

  for (const day of DAYS) {
    it(
      `day ${day}: every silver and gold table is identical on both engines`,
      async () => {
        if (parity === undefined) throw new Error('parity run did not start');
        const report: DayReport = await parity.runDay();
        expect(report.day).toBe(day);
        console.log(
          `parity day ${day}: DuckDB build ${(report.duck.ms / 1000).toFixed(1)} s, Spark build ${(report.spark.ms / 1000).toFixed(1)} s, ${report.tables.length} tables compared`,
        );
        expect(report.duck.ok, `DuckDB build failed:\n${report.duck.problems}`).toBe(true);
        expect(report.spark.ok, `Spark build failed:\n${report.spark.problems}`).toBe(true);
        // The compared set is exactly what the models materialize in silver and gold.
        expect(report.tables.map((v) => v.table)).toEqual(expected);
        const mismatches = report.tables.filter((v) => !verdictMatches(v)).map(describeVerdict);
        expect(
          mismatches,
          `tables differing between DuckDB and Spark:\n${mismatches.join('\n')}`,
        ).toEqual([]);
        for (const v of report.tables) expect(v.kind, v.table).toBe('identical');
      },
      DAY_TIMEOUT_MS,
    );
  }
});

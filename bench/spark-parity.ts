/**
 * Parity and timing of the healthcare project on DuckDB vs. the local Spark Thrift Server. In a
 * temp copy of the project, for day 0 → day N: generate the landing data (demo generator), land it
 * with `mdl ingest`, run `mdl build` on a DuckDB target and on the `spark` target from the SAME
 * bronze files, then compare every silver and gold table — row count and a content hash over a
 * canonical, ordered text form of the rows (wall-clock audit columns excluded). Prints build times
 * and a per-table verdict; differing columns are named, values are never printed. The logic lives
 * in bench/lib/healthcare-parity.ts, shared with tests/e2e/spark-parity.test.ts.
 *
 *   scripts/services/spark.sh start && source .services/spark.env
 *   npm run bench:spark -- [--days 2] [--scale 20000] [--skip-data-tests]     (1M transactions: --scale 1000000 --days 0)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  HealthcareParityRun,
  VOLATILE_COLUMNS,
  describeVerdict,
  verdictMatches,
} from './lib/healthcare-parity.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = fs.existsSync(path.join(repo, 'project.yml')) ? repo : path.resolve(process.cwd());
const { values: args } = parseArgs({
  options: {
    days: { type: 'string', default: '2' },
    scale: { type: 'string', default: '20000' },
    // Tables above this size are compared by row count only (fetching millions of rows into
    // Node for the content hash takes longer than the builds themselves).
    'max-content-rows': { type: 'string', default: '250000' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    // Leave the project's data tests out of each build (they write no tables; parity is unaffected).
    'skip-data-tests': { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const parity = await HealthcareParityRun.start({
    root,
    sparkHost: process.env.MDL_SPARK_HOST ?? '127.0.0.1',
    sparkPort: Number(process.env.MDL_SPARK_PORT ?? '10009'),
    scale: Number(args.scale),
    seed: Number(args.seed),
    maxContentRows: Number(args['max-content-rows']),
    dataTests: args['skip-data-tests'] !== true,
  });
  let allSame = true;
  for (let day = 0; day <= Number(args.days); day++) {
    const { duck, spark, tables } = await parity.runDay();
    for (const b of [duck, spark])
      if (!b.ok) process.stderr.write(`${b.target} build problems:\n${b.problems}\n`);
    console.log(`day ${day}: DuckDB build ${(duck.ms / 1000).toFixed(1)} s (${duck.summary})`);
    console.log(
      `day ${day}: Spark  build ${(spark.ms / 1000).toFixed(1)} s (${spark.summary})  ratio ${(spark.ms / duck.ms).toFixed(1)}x`,
    );
    for (const v of tables) console.log(describeVerdict(v));
    const same = tables.filter((v) => v.kind === 'identical').length;
    const countOnly = tables.filter((v) => v.kind === 'count-only' && verdictMatches(v)).length;
    console.log(
      `day ${day}: ${same}/${tables.length} silver+gold tables identical${countOnly > 0 ? `, ${countOnly} more with the same row count (not hashed)` : ''}\n`,
    );
    allSame &&= tables.length > 0 && tables.every(verdictMatches);
  }
  console.log(`volatile columns excluded from the hash: ${[...VOLATILE_COLUMNS].join(', ')}`);
  await parity.close(args.keep === true);
  if (args.keep === true) console.log(`kept ${parity.dir}`);
  process.exitCode = allSame ? 0 : 1;
}

await main();

/**
 * Child process of the "killed load" test (run with vite-node): ingests the project given as
 * argv[2] with tiny parts, printing `rows=<n>` per batch so the parent can SIGKILL it mid-copy.
 */
import { runIngest } from '../../runner/ingest/run-ingest.js';

const projectDir = process.argv[2] ?? '';
const summary = await runIngest({
  projectDir,
  target: {
    type: 'duckdb',
    name: 'dev',
    path: `${projectDir}/data/warehouse/mdl_dev.duckdb`,
    schema: 'main',
    threads: 1,
    settings: {},
  },
  env: process.env,
  landing: false,
  rowsPerPart: 5_000,
  batchSize: 1_000,
  listener: async (e) => {
    if (e.type === 'progress') {
      process.stdout.write(`rows=${e.rows}\n`);
      // slow enough for the parent to kill us in the middle of the copy
      await new Promise((r) => setTimeout(r, 20));
    }
  },
});
process.stdout.write(`done=${summary.tables.map((t) => t.status).join(',')}\n`);

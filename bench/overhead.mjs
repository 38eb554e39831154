#!/usr/bin/env node
// Runner overhead benchmark (issue 3): 1,000 trivial models run by `mdl run` vs the same compiled
// statements executed back to back by a minimal @duckdb/node-api script on the same DuckDB file.
// Prints per-node overhead (budget < 2 ms/node) and process start → first statement (budget < 400 ms).
//
//   node bench/overhead.mjs [--models 1000] [--threads 1] [--runs 3]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: '1000' },
    threads: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
  },
});
const N = Number(values.models);
const THREADS = Number(values.threads);
const RUNS = Number(values.runs);

if (!fs.existsSync(path.join(REPO, 'dist/mdl.js')) || process.env.MDL_BENCH_BUILD !== '0') {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}

/** A project of N view models shaped as a chain (m_i reads m_{i-1}) or a fan-out (all read m_0). */
function writeProject(shape) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mdl-bench-${shape}-`));
  fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'configs'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'project.yml'),
    `name: bench\nversion: '1'\nmodels:\n  bench:\n    +materialized: table\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'configs/targets.yml'),
    `default: dev\ntargets:\n  dev:\n    type: duckdb\n    path: warehouse.duckdb\n    schema: main\n    threads: ${THREADS}\n`,
  );
  for (let i = 0; i < N; i++) {
    const parent = i === 0 ? undefined : shape === 'chain' ? i - 1 : 0;
    const sql =
      parent === undefined ? 'select 1 as x' : `select x + 1 as x from {{ ref('m_${parent}') }}`;
    fs.writeFileSync(path.join(dir, 'models', `m_${i}.sql`), `${sql}\n`);
  }
  return dir;
}

function runMdl(dir) {
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [path.join(REPO, 'bin/mdl.mjs'), 'run', '--project-dir', dir],
    { cwd: dir, encoding: 'utf8' },
  );
  const wall = Date.now() - t0;
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`mdl run failed with exit code ${r.status}`);
  }
  const results = JSON.parse(fs.readFileSync(path.join(dir, 'target/run_results.json'), 'utf8'));
  const ok = results.results.filter((x) => x.status === 'success').length;
  if (ok !== N) throw new Error(`expected ${N} successful nodes, got ${ok}`);
  // First statement start = end timestamp of the first logged step minus its duration.
  const lines = fs
    .readFileSync(path.join(dir, 'target/mdl.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const invocation = lines.at(-1).invocation;
  const firstStep = lines.find((e) => e.invocation === invocation && e.event === 'step');
  const firstStmt = Date.parse(firstStep.ts) - firstStep.ms - t0;
  return { wall, elapsed: results.elapsedMs, firstStmt };
}

/**
 * The statements mdl runs for each table model — its atomic swap `BEGIN; CREATE TABLE tmp AS …;
 * DROP old; ALTER … RENAME; COMMIT` — back to back in DAG order (`same`), or for reference one bare
 * `CREATE OR REPLACE TABLE` per model (`bare`).
 */
async function runBaseline(dir, mode) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'target/manifest.json'), 'utf8'));
  const q = (s) => `"${s.replaceAll('"', '""')}"`;
  const stmts = [];
  for (let i = 0; i < N; i++) {
    const n = manifest.nodes[`model.bench.m_${i}`];
    const schema = q(n.relation.schema);
    const rel = `${schema}.${q(n.relation.identifier)}`;
    if (mode === 'same') {
      const tmp = `${schema}.${q(`${n.relation.identifier}__mdl_tmp_bench`)}`;
      stmts.push(
        'BEGIN TRANSACTION',
        `CREATE TABLE ${tmp} AS\n${n.compiledSql}`,
        `DROP TABLE IF EXISTS ${rel}`,
        `ALTER TABLE ${tmp} RENAME TO ${q(n.relation.identifier)}`,
        'COMMIT',
      );
    } else {
      stmts.push(`CREATE OR REPLACE TABLE ${rel} AS\n${n.compiledSql}`);
    }
  }
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(path.join(dir, 'warehouse.duckdb'), {
    threads: String(THREADS),
  });
  const c = await inst.connect();
  const t1 = performance.now();
  for (const s of stmts) await c.run(s);
  const t2 = performance.now();
  c.closeSync();
  inst.closeSync();
  return { open: t1 - t0, statements: t2 - t1 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(2);
let failed = false;
console.log(
  `mdl overhead benchmark: ${N} table models, threads=${THREADS}, median of ${RUNS} interleaved runs ` +
    `(node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg()[0].toFixed(1)})`,
);
for (const shape of ['chain', 'fan-out']) {
  const dir = writeProject(shape);
  const cold = runMdl(dir);
  const warm = [];
  const same = [];
  const bare = [];
  for (let i = 0; i < RUNS; i++) {
    warm.push(runMdl(dir));
    same.push(await runBaseline(dir, 'same'));
    bare.push(await runBaseline(dir, 'bare'));
  }
  const elapsed = median(warm.map((w) => w.elapsed));
  const wall = median(warm.map((w) => w.wall));
  const first = median(warm.map((w) => w.firstStmt));
  const open = median(same.map((b) => b.open));
  const stm = median(same.map((b) => b.statements));
  const bareStm = median(bare.map((b) => b.statements));
  const perNode = (elapsed - open - stm) / N;
  console.log(`\n${shape}:`);
  console.log(
    `  minimal script, same statements: open ${fmt(open)} ms + ${fmt(stm)} ms (${fmt(stm / N)} ms/model)`,
  );
  console.log(
    `  minimal script, one CREATE OR REPLACE TABLE per model (reference): ${fmt(bareStm)} ms (${fmt(bareStm / N)} ms/model)`,
  );
  console.log(
    `  mdl run: process wall ${wall} ms (cold ${cold.wall} ms); open + introspect + execute ${elapsed} ms`,
  );
  console.log(
    `  runner overhead per node (mdl execution − script): ${fmt(perNode)} ms   budget < 2 ms  ${perNode < 2 ? 'OK' : 'OVER'}`,
  );
  console.log(
    `  whole process incl. start, project load and compile, per node: ${fmt((wall - open - stm) / N)} ms`,
  );
  console.log(
    `  process start → first statement: ${fmt(first)} ms (cold ${fmt(cold.firstStmt)} ms)   budget < 400 ms  ${first < 400 ? 'OK' : 'OVER'}`,
  );
  if (perNode >= 2 || first >= 400) failed = true;
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

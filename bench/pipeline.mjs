#!/usr/bin/env node
// Benchmark: the full `mdl seed` + `mdl build` of the healthcare project vs a single hand-written
// DuckDB SQL script (bench/pipeline.sql) doing the same work on the same bronze files. Prints
// wall times, the ratio and peak RSS (budget: within 1.15× of the script, < 8 GiB RSS at 10M).
//
//   node bench/pipeline.mjs                 # 1M transactions
//   node bench/pipeline.mjs --scale 10000000
//   node bench/pipeline.mjs --scale 1000000,10000000 --repeat 2
//
// Work dirs live under bench/out/ (gitignored); data is generated and ingested once per scale.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[2] === '--run-sql') {
  // Child mode: execute the baseline script statement by statement on a fresh database file.
  const [, , , dbFile, sqlFile, bronze] = process.argv;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const sql = fs
    .readFileSync(sqlFile, 'utf8')
    .replaceAll('__BRONZE__', bronze)
    .replaceAll('__SEEDS__', path.join(root, 'seeds'));
  const inst = await DuckDBInstance.create(dbFile);
  const con = await inst.connect();
  const statements = sql
    .split(/;\s*\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s !== '');
  let failing = -1;
  for (const s of statements) {
    const t0 = performance.now();
    const r = await con.runAndReadAll(s);
    // MDL_BENCH_TRACE=1: time per statement on stderr (first line of the statement only).
    if (process.env.MDL_BENCH_TRACE === '1')
      process.stderr.write(
        `${(performance.now() - t0).toFixed(0)} ms  ${s.split('\n')[0].slice(0, 60)}\n`,
      );
    if (/failing_rows\s*$/.test(s)) failing = Number(r.getRows()[0][0]);
  }
  process.stdout.write(`failing_rows=${failing}\n`);
  con.closeSync();
  inst.closeSync();
  process.exit(failing === 0 ? 0 : 1);
}

const { values: opts } = parseArgs({
  options: {
    scale: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '1' },
  },
});
const scales = opts.scale.split(',').map(Number);
const repeat = Math.max(1, Number(opts.repeat));

/** Median of a non-empty list. */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs a command under /usr/bin/time -v; returns wall seconds and peak RSS in MiB. */
function timed(cmd, args, cwd) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) {
    process.stderr.write(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}\n`);
    process.exit(1);
  }
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  // CPU seconds (user + system): less sensitive than wall time to other load on a shared machine.
  const cpu =
    Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? 0) +
    Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? 0);
  return { secs, rss, cpu, out: r.stdout };
}

const node = process.execPath;
const results = [];
for (const scale of scales) {
  const dir = path.join(root, 'bench', 'out', `pipeline-${scale}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const e of ['project.yml', 'configs', 'models', 'macros', 'seeds', 'data-tests'])
    fs.cpSync(path.join(root, e), path.join(dir, e), { recursive: true });
  const mdl = (...a) => [path.join(root, 'bin', 'mdl.mjs'), ...a, '--project-dir', dir];
  process.stdout.write(`\n== ${scale.toLocaleString('en-US')} transactions ==\n`);
  const gen = timed(
    node,
    [
      path.join(root, 'dist', 'demo-generate.js'),
      '--out',
      path.join(dir, 'data', 'landing'),
      '--scale',
      String(scale),
      '--quiet',
    ],
    dir,
  );
  process.stdout.write(`generate: ${gen.secs.toFixed(1)}s, peak RSS ${gen.rss.toFixed(0)} MiB\n`);
  const ing = timed(node, mdl('ingest'), dir);
  process.stdout.write(`ingest:   ${ing.secs.toFixed(1)}s, peak RSS ${ing.rss.toFixed(0)} MiB\n`);
  const wh = path.join(dir, 'data', 'warehouse', 'mdl_dev.duckdb');
  const pristine = `${wh}.after-ingest`;
  fs.copyFileSync(wh, pristine);

  let best = { mdl: Infinity, script: Infinity, mdlRss: 0, scriptRss: 0 };
  const runs = [];
  for (let i = 0; i < repeat; i++) {
    const runMdl = () => {
      fs.copyFileSync(pristine, wh);
      fs.rmSync(`${wh}.wal`, { force: true });
      return [timed(node, mdl('seed'), dir), timed(node, mdl('build'), dir)];
    };
    const runScript = () => {
      const base = path.join(dir, 'baseline.duckdb');
      fs.rmSync(base, { force: true });
      fs.rmSync(`${base}.wal`, { force: true });
      return timed(
        node,
        [
          fileURLToPath(import.meta.url),
          '--run-sql',
          base,
          path.join(root, 'bench', 'pipeline.sql'),
          path.join(dir, 'data', 'bronze'),
        ],
        dir,
      );
    };
    // Alternate which side runs first, so drift in the machine's load does not favour one side.
    let seed, build, s;
    if (i % 2 === 0) {
      [seed, build] = runMdl();
      s = runScript();
    } else {
      s = runScript();
      [seed, build] = runMdl();
    }
    const m = seed.secs + build.secs;
    const mCpu = seed.cpu + build.cpu;
    runs.push({ mdl: m, script: s.secs, mdlCpu: mCpu, scriptCpu: s.cpu });
    process.stdout.write(
      `run ${i + 1}: mdl seed+build ${m.toFixed(1)}s, CPU ${mCpu.toFixed(1)}s (RSS ${Math.max(seed.rss, build.rss).toFixed(0)} MiB) · script ${s.secs.toFixed(1)}s, CPU ${s.cpu.toFixed(1)}s (RSS ${s.rss.toFixed(0)} MiB, ${s.out.trim()})\n`,
    );
    best = {
      mdl: Math.min(best.mdl, m),
      script: Math.min(best.script, s.secs),
      mdlRss: Math.max(best.mdlRss, seed.rss, build.rss),
      scriptRss: Math.max(best.scriptRss, s.rss),
    };
  }
  const ratio = best.mdl / best.script;
  results.push({ scale, ...best, ratio });
  const med = (k) => median(runs.map((r) => r[k]));
  process.stdout.write(
    `median of per-run ratios ${median(runs.map((r) => r.mdl / r.script)).toFixed(2)}×; medians over ${runs.length} runs: mdl ${med('mdl').toFixed(1)}s vs script ${med('script').toFixed(1)}s (wall ratio ${(med('mdl') / med('script')).toFixed(2)}×); CPU mdl ${med('mdlCpu').toFixed(1)}s vs script ${med('scriptCpu').toFixed(1)}s (CPU ratio ${(med('mdlCpu') / med('scriptCpu')).toFixed(2)}×)\n`,
  );
  process.stdout.write(
    `ratio mdl/script = ${ratio.toFixed(2)}× (budget 1.15×: ${ratio <= 1.15 ? 'within' : 'OVER'}); peak RSS mdl ${(best.mdlRss / 1024).toFixed(2)} GiB (budget 8 GiB: ${best.mdlRss < 8192 ? 'within' : 'OVER'})\n`,
  );
}

process.stdout.write(
  '\nscale          mdl (s)  script (s)  ratio  mdl RSS (MiB)  script RSS (MiB)\n',
);
for (const r of results)
  process.stdout.write(
    `${String(r.scale).padEnd(13)}  ${r.mdl.toFixed(1).padStart(7)}  ${r.script.toFixed(1).padStart(10)}  ${r.ratio.toFixed(2).padStart(5)}  ${r.mdlRss.toFixed(0).padStart(13)}  ${r.scriptRss.toFixed(0).padStart(16)}\n`,
  );

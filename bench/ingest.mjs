// Ingest benchmark: copy a 5M-row table from PostgreSQL to bronze Parquet with mdl's EMR loader,
// against the baseline `psql \copy` to CSV + DuckDB CSV→Parquet on the same machine.
//
//   scripts/services/postgres.sh start && node bench/ingest.mjs            # 5M rows
//   node bench/ingest.mjs --rows 1000000 --repeat 3                        # smaller, median of 3
//
// The table (bench_ingest.claims_<rows>) is generated once in PostgreSQL with generate_series and
// reused. Each side runs in its own process so peak RSS is measured per side. Printed: seconds,
// rows/s, peak RSS per side, and the ratio mdl / baseline throughput (budget: ≥ 0.8, < 1 GiB RSS).
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const rows = Number(flag('--rows', '5000000'));
const table = `claims_${rows}`;

function pgUrl() {
  if (process.env.MDL_PG_URL) return process.env.MDL_PG_URL;
  const envFile = path.join(root, '.services', 'postgres.env');
  if (fs.existsSync(envFile)) {
    const m = /MDL_PG_URL=(\S+)/.exec(fs.readFileSync(envFile, 'utf8'));
    if (m) return m[1];
  }
  console.error('MDL_PG_URL is not set: run scripts/services/postgres.sh start');
  process.exit(2);
}

const COLUMNS = {
  claim_id: 'BIGINT',
  patient_id: 'VARCHAR',
  service_date: 'DATE',
  amount: 'DECIMAL(12,2)',
  npi: 'BIGINT',
  status: 'VARCHAR',
  modified_at: 'TIMESTAMP',
};

async function bundle(entry) {
  // Inside the repo so the bundle resolves node_modules (bench/out is gitignored).
  const out = path.join(root, 'bench', 'out', `ingest-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(root, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return out;
}

/** Child: mdl's loader on the table; prints one JSON line. */
async function mdlSide(url, outDir) {
  const bundled = await bundle('runner/ingest/emr-ingest.ts');
  const mod = await import(bundled);
  fs.rmSync(bundled, { force: true });
  const audit = {
    succeededLoadIds: async () => new Set(),
    lastWatermark: async () => undefined,
    recordLoad: async () => undefined,
  };
  const u = new URL(url);
  const t0 = performance.now();
  const res = await mod.runEmrIngest({
    bronzeRoot: outDir,
    batchSize: Number(flag('--batch', '20000')),
    rowsPerPart: 1_000_000,
    keepFullLoads: 1,
    overlapSeconds: 0,
    csvPartBytes: Number(flag('--part-mb', '64')) << 20,
    projectDir: root,
    loadConfig: {
      file: 'bench',
      entries: [
        {
          row: 1,
          line: 2,
          database: 'bench',
          datasource: 'hos-a',
          schema: 'bench_ingest',
          table,
          isActive: true,
          targetPath: 'bench',
          bronzeTable: table,
          loadType: 'Full',
        },
      ],
    },
    connections: {
      bench: {
        client: 'pg',
        database: 'bench',
        host: u.hostname,
        port: Number(u.port),
        user: decodeURIComponent(u.username),
        password: { kind: 'env_var', name: 'BENCH_PG_PASSWORD' },
        dbName: u.pathname.slice(1),
        encrypt: false,
      },
    },
    audit,
    only: [],
    concurrency: 1,
    env: { BENCH_PG_PASSWORD: decodeURIComponent(u.password) },
    secrets: () => undefined,
    listener: args.includes('--trace')
      ? (e) =>
          console.error(
            `${((performance.now() - t0) / 1000).toFixed(2)}s ${e.type}${e.rows === undefined ? '' : ` ${e.rows}`}`,
          )
      : undefined,
  });
  const seconds = (performance.now() - t0) / 1000;
  const r = res[0];
  if (r.status !== 'succeeded') throw new Error(`mdl load failed: ${r.error?.message}`);
  console.log(
    JSON.stringify({ seconds, rows: r.rows, maxRssMB: process.resourceUsage().maxRSS / 1024 }),
  );
}

/** Child: DuckDB CSV → Parquet half of the baseline. */
async function duckSide(csv, parquet) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await inst.connect();
  const cols = Object.entries(COLUMNS)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(', ');
  const t0 = performance.now();
  await c.run(
    `COPY (SELECT * FROM read_csv('${csv}', header = true, columns = {${cols}})) TO '${parquet}' (FORMAT parquet, COMPRESSION zstd)`,
  );
  console.log(
    JSON.stringify({
      seconds: (performance.now() - t0) / 1000,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function child(mode, ...rest) {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), `--child-${mode}`, ...rest, ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`${mode} child failed`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function timeRss(cmd, argv, env) {
  // GNU time is not always installed: measure wall time here and RSS via /proc of the child is
  // not portable either, so psql's RSS is reported by the kernel through `ps`-less wait4 stats.
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${cmd} failed`);
  return (performance.now() - t0) / 1000;
}

async function parent() {
  const url = pgUrl();
  const psql = (sql) =>
    execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qtAc', sql], { encoding: 'utf8' }).trim();
  psql('SET client_min_messages = warning; CREATE SCHEMA IF NOT EXISTS bench_ingest');
  const exists = psql(
    `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'bench_ingest' AND table_name = '${table}'`,
  );
  if (exists !== '1') {
    console.log(`generating bench_ingest.${table} (${rows.toLocaleString('en-US')} rows)…`);
    psql(`CREATE TABLE bench_ingest.${table} AS SELECT g::bigint AS claim_id, 'P' || (g % 100000) AS patient_id,
      DATE '2020-01-01' + (g % 1500)::int AS service_date, ((g % 100000) / 100.0)::numeric(12,2) AS amount,
      (2000000000 + g)::bigint AS npi, (ARRAY['Paid','Denied','Pending'])[1 + g % 3] AS status,
      TIMESTAMP '2024-01-01' + (g || ' seconds')::interval AS modified_at
      FROM generate_series(1, ${rows}) AS g`);
    psql(`ANALYZE bench_ingest.${table}`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-bench-ingest-'));
  try {
    const fmt = (n) => Math.round(n).toLocaleString('en-US');
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const repeat = Number(flag('--repeat', '1'));
    const runs = [];
    // Sides alternate per run so a burst of load on a shared machine hits both.
    for (let i = 0; i < repeat; i++) {
      const csv = path.join(work, 'baseline.csv');
      const copySecs = timeRss('psql', [
        url,
        '-qc',
        `\\copy (SELECT * FROM bench_ingest.${table}) TO '${csv}' WITH (FORMAT csv, HEADER true)`,
      ]);
      const duck = child('duck', csv, path.join(work, 'baseline.parquet'));
      fs.rmSync(csv);
      const baseline = copySecs + duck.seconds;
      const out = path.join(work, `bronze-${i}`);
      const mdl = child('mdl', url, out);
      if (mdl.rows !== rows) throw new Error(`mdl copied ${mdl.rows} rows, expected ${rows}`);
      fs.rmSync(out, { recursive: true, force: true });
      runs.push({ baseline, duck, mdl, ratio: baseline / mdl.seconds });
      console.log(
        `run ${i + 1}: baseline ${baseline.toFixed(2)}s (psql \\copy ${copySecs.toFixed(2)}s + DuckDB CSV→Parquet ${duck.seconds.toFixed(2)}s), mdl ${mdl.seconds.toFixed(2)}s, ratio ${(baseline / mdl.seconds).toFixed(2)}`,
      );
    }
    const baseline = median(runs.map((r) => r.baseline));
    const mdlSecs = median(runs.map((r) => r.mdl.seconds));
    const rss = Math.max(...runs.map((r) => r.mdl.maxRssMB));
    const duckRss = Math.max(...runs.map((r) => r.duck.maxRssMB));
    const ratio = median(runs.map((r) => r.ratio));
    console.log(
      `rows: ${fmt(rows)}  (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`,
    );
    console.log(
      `baseline  ${baseline.toFixed(2)}s  ${fmt(rows / baseline)} rows/s  (DuckDB side peak RSS ${fmt(duckRss)} MiB)`,
    );
    console.log(
      `mdl       ${mdlSecs.toFixed(2)}s  ${fmt(rows / mdlSecs)} rows/s  peak RSS ${fmt(rss)} MiB`,
    );
    console.log(
      `ratio mdl/baseline throughput (median of ${repeat}): ${ratio.toFixed(2)}  (budget ≥ 0.80)  RSS budget < 1024 MiB: ${rss < 1024 ? 'ok' : 'OVER'}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const mode = args.find((a) => a.startsWith('--child-'));
if (mode === '--child-mdl') await mdlSide(args[1], args[2]);
else if (mode === '--child-duck') await duckSide(args[1], args[2]);
else await parent();

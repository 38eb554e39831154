#!/usr/bin/env node
// The one-command demo (`npm run demo`): generate the two hospitals' landing data, land it to
// bronze with `mdl ingest`, load the seeds, build silver and gold with their tests, and print a
// short report (rows per layer, SCD2 history, quarantined rows by reason, the KPI tables).
//
//   node demo/run-demo.mjs [--scale 20000] [--seed 42] [--dirt-rate 0.02] [--day N] [--keep]
//
// `--day 0` (the default) starts from scratch. `--day N` applies the days after the current one
// up to N (generate → ingest → build for each), so SCD2 history grows and the KPIs move; when no
// landing data exists yet, day 0 runs first. The report shows aggregates only — never row values.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(root, 'data');
const LANDING = path.join(DATA, 'landing');
const WAREHOUSE = path.join(DATA, 'warehouse', 'mdl_dev.duckdb');
const STATE = path.join(LANDING, '_truth', 'state.json');

const { values: opts } = parseArgs({
  options: {
    scale: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '42' },
    'dirt-rate': { type: 'string', default: '0.02' },
    day: { type: 'string', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (opts.help) {
  process.stdout.write(
    'Usage: node demo/run-demo.mjs [--scale 20000] [--seed 42] [--dirt-rate 0.02] [--day N]\n',
  );
  process.exit(0);
}
const targetDay = Number(opts.day);
if (!Number.isInteger(targetDay) || targetDay < 0) {
  process.stderr.write(`--day must be a whole number >= 0, got '${opts.day}'\n`);
  process.exit(2);
}

const started = Date.now();
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)}s`;

/** Runs one step; prints its last summary line, or everything it said when it fails. */
function step(label, cmd, args) {
  const t = Date.now();
  process.stdout.write(`▸ ${label} … `);
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0) {
    process.stdout.write(`FAILED (${secs(t)})\n${out}\n`);
    process.stderr.write(`\nThe demo stopped at: ${label}. The output above says why.\n`);
    process.exit(r.status ?? 1);
  }
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const summary =
    [...lines].reverse().find((l) => /^(Finished|Done|day \d)/.test(l.trim())) ??
    lines.at(-1) ??
    '';
  process.stdout.write(`ok (${secs(t)}) ${summary.trim()}\n`);
}

const mdl = (...a) => ['bin/mdl.mjs', ...a];
const node = process.execPath;

function currentDay() {
  if (!fs.existsSync(STATE)) return -1;
  return JSON.parse(fs.readFileSync(STATE, 'utf8')).lastDay;
}

function runDay(day) {
  process.stdout.write(`\n== Day ${day} ==\n`);
  const genArgs = ['dist/demo-generate.js', '--out', 'data/landing', '--day', String(day)];
  if (day === 0)
    genArgs.push('--scale', opts.scale, '--seed', opts.seed, '--dirt-rate', opts['dirt-rate']);
  step(`generate day ${day}`, node, genArgs);
  step('mdl ingest (landing → bronze Parquet)', node, mdl('ingest'));
  step('mdl seed', node, mdl('seed'));
  step('mdl build (silver + gold, with tests)', node, mdl('build'));
}

let from = currentDay() + 1;
if (targetDay === 0 || from === 0) {
  // A fresh start: everything under data/ is generated (gitignored), so it is safe to remove.
  for (const d of ['landing', 'bronze', 'warehouse'])
    fs.rmSync(path.join(DATA, d), { recursive: true, force: true });
  runDay(0);
  from = 1;
} else if (from > targetDay) {
  process.stdout.write(
    `Landing data is already at day ${from - 1}; reporting on the current warehouse.\n`,
  );
}
for (let d = from; d <= targetDay; d++) runDay(d);

await report();
process.stdout.write(`\nDemo finished in ${secs(started)}.\n`);

// ---------------------------------------------------------------------------------------------

async function report() {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(WAREHOUSE, { access_mode: 'READ_ONLY' });
  const con = await inst.connect();
  const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
  const tables = new Map(
    (await rows('SELECT table_schema AS s, table_name AS t FROM information_schema.tables')).map(
      (r) => [`${r.s}.${r.t}`, r],
    ),
  );
  const has = (rel) => tables.has(rel);

  process.stdout.write('\n== Rows per layer ==\n');
  const layer = async (schema, names) => {
    const out = [];
    for (const n of names) {
      if (!has(`${schema}.${n}`)) continue;
      // A key list source holds the last few lists: its size is the newest list's (= source rows).
      const where = n.endsWith('_keys')
        ? ` WHERE _load_id = (SELECT max(_load_id) FROM ${schema}.${n})`
        : '';
      const [r] = await rows(`SELECT count(*) AS n FROM ${schema}.${n}${where}`);
      out.push({ relation: `${schema}.${n}`, rows: Number(r.n) });
    }
    return out;
  };
  const bronzeNames = [...tables.keys()]
    .filter((k) => k.startsWith('bronze.'))
    .map((k) => k.slice(7))
    .sort();
  const bronze = await layer('bronze', bronzeNames);
  printTable(bronze.length ? bronze : [{ relation: 'bronze', rows: 'no bronze views found' }]);

  const silver = [
    'patients',
    'providers',
    'departments',
    'encounters',
    'transactions',
    'claims',
    'cpt_codes',
    'icd_codes',
    'npi',
  ];
  const hist = [];
  for (const t of silver) {
    if (!has(`silver.${t}`)) continue;
    const [r] = await rows(
      `SELECT count(*) AS versions, count(*) FILTER (WHERE is_current) AS current_rows,
              count(*) FILTER (WHERE is_current AND is_quarantined) AS quarantined
       FROM silver.${t}`,
    );
    hist.push({
      relation: `silver.${t}`,
      versions: Number(r.versions),
      current: Number(r.current_rows),
      quarantined: Number(r.quarantined),
    });
  }
  process.stdout.write(
    '\nSilver (SCD2 snapshots: all versions / current rows / current quarantined):\n',
  );
  printTable(hist.length ? hist : [{ relation: 'silver', versions: 'not built' }]);

  const gold = await layer('gold', [
    'dim_patient',
    'dim_provider',
    'dim_department',
    'dim_cpt_code',
    'dim_icd_code',
    'dim_npi',
    'dim_payor',
    'fact_transactions',
  ]);
  process.stdout.write('\nGold:\n');
  printTable(gold.length ? gold : [{ relation: 'gold', rows: 'not built' }]);

  process.stdout.write('\n== Quarantined rows by reason (current versions) ==\n');
  const reasons = [];
  for (const t of silver) {
    if (!has(`silver.${t}`)) continue;
    for (const r of await rows(
      `SELECT reason, count(*) AS n FROM (SELECT unnest(quarantine_reasons) AS reason FROM silver.${t} WHERE is_current)
       GROUP BY reason ORDER BY reason`,
    ))
      reasons.push({ table: t, reason: r.reason, rows: Number(r.n) });
  }
  printTable(reasons.length ? reasons : [{ table: '-', reason: 'no quarantined rows', rows: 0 }]);

  process.stdout.write('\n== Revenue-cycle KPIs ==\n');
  if (has('gold.kpi_ar_summary')) {
    const [s] = await rows(
      'SELECT CAST(as_of_date AS VARCHAR) AS as_of_date, open_items, total_ar, days_in_ar, pct_ar_over_90 FROM gold.kpi_ar_summary',
    );
    printTable([
      {
        'as of': s.as_of_date,
        'open items': s.open_items,
        'total AR': money(s.total_ar),
        'days in AR': s.days_in_ar,
        '% AR > 90 days': s.pct_ar_over_90,
      },
    ]);
  }
  if (has('gold.kpi_ar_aging')) {
    process.stdout.write('\nAR aging:\n');
    printTable(
      (
        await rows(
          'SELECT aging_bucket, open_items, ar_amount, pct_of_ar FROM gold.kpi_ar_aging ORDER BY sort_order',
        )
      ).map((r) => ({
        bucket: r.aging_bucket,
        'open items': r.open_items,
        'AR amount': money(r.ar_amount),
        '% of AR': r.pct_of_ar,
      })),
    );
  }
  if (has('gold.kpi_payor_performance')) {
    process.stdout.write('\nBy payor:\n');
    printTable(
      (
        await rows(
          'SELECT payor_name, payor_type, claims, denial_rate_pct, collection_rate_pct FROM gold.kpi_payor_performance ORDER BY payor_name',
        )
      ).map((r) => ({
        payor: r.payor_name,
        type: r.payor_type,
        claims: r.claims,
        'denial %': r.denial_rate_pct,
        'collection %': r.collection_rate_pct,
      })),
    );
  }
  if (has('gold.kpi_department_performance')) {
    process.stdout.write('\nBy department (both hospitals):\n');
    printTable(
      (
        await rows(
          `SELECT department_name, sum(claims) AS claims,
                round(100.0 * sum(denied_claims) / nullif(sum(adjudicated_claims), 0), 2) AS denial,
                round(100.0 * sum(payments) / nullif(sum(charges), 0), 2) AS collection
         FROM gold.kpi_department_performance GROUP BY department_name ORDER BY department_name`,
        )
      ).map((r) => ({
        department: r.department_name,
        claims: r.claims,
        'denial %': r.denial,
        'paid / charged %': r.collection,
      })),
    );
  }
  if (has('gold.kpi_monthly_trend')) {
    process.stdout.write('\nLast 6 service months:\n');
    printTable(
      (
        await rows(
          'SELECT CAST(service_month AS VARCHAR) AS m, transactions, charges, payments, denial_rate_pct, ar_balance FROM gold.kpi_monthly_trend ORDER BY service_month DESC LIMIT 6',
        )
      )
        .reverse()
        .map((r) => ({
          month: r.m.slice(0, 7),
          transactions: r.transactions,
          charges: money(r.charges),
          payments: money(r.payments),
          'denial %': r.denial_rate_pct,
          'open AR': money(r.ar_balance),
        })),
    );
  }
  con.closeSync();
  inst.closeSync();
}

function money(v) {
  const n = Number(v);
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : String(v);
}

function printTable(list) {
  if (list.length === 0) return;
  const cols = Object.keys(list[0]);
  const cell = (v) => (v === null || v === undefined ? '—' : String(v));
  const width = cols.map((c) => Math.max(c.length, ...list.map((r) => cell(r[c]).length)));
  const line = (vals) =>
    `  ${vals.map((v, i) => (typeof list[0][cols[i]] === 'number' || /^[\d.,-]+$/.test(v) ? v.padStart(width[i]) : v.padEnd(width[i]))).join('  ')}`;
  process.stdout.write(`${line(cols)}\n  ${width.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of list) process.stdout.write(`${line(cols.map((c) => cell(r[c])))}\n`);
}

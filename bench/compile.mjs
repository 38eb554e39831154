#!/usr/bin/env node
// Compile benchmark: generates synthetic projects (chains, fan-in, macros, YAML tests, a few
// Nunjucks-heavy incremental models) and times the whole `mdl compile` process — cold (no
// target/), warm (nothing changed) and after a one-file change. Run: npm run bench:compile
// (sizes can be given as arguments: node bench/compile.mjs 1000 10000).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin', 'mdl.mjs');
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [1000, 10000];
const RUNS = 5;
const BUDGET = { cold: 1500, change: 300 };

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A project of n models: folders of 100, chains inside a folder, fan-in across folders. */
function generate(dir, n) {
  const perFolder = 100;
  write(
    path.join(dir, 'project.yml'),
    [
      'name: bench',
      'model-paths: [models]',
      'macro-paths: [macros]',
      'vars: {min_id: 0}',
      'models:',
      '  bench:',
      '    +materialized: view',
      '    +tags: [bench]',
      '',
    ].join('\n'),
  );
  write(
    path.join(dir, 'configs', 'targets.yml'),
    'default: dev\ntargets:\n  dev: {type: duckdb, path: bench.duckdb, schema: main}\n',
  );
  write(
    path.join(dir, 'macros', 'bench.sql'),
    [
      '{% macro cents_to_dollars(col) %}({{ col }} / 100.0){% endmacro %}',
      '{% macro safe_div(a, b) %}case when {{ b }} = 0 then null else {{ a }} / {{ b }} end{% endmacro %}',
      "{% macro clean(col) %}nullif(trim({{ col }}), ''){% endmacro %}",
      '',
    ].join('\n'),
  );
  write(
    path.join(dir, 'models', 'sources.yml'),
    `version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n${Array.from({ length: 10 }, (_, i) => `      - name: t${i}\n`).join('')}`,
  );
  const folders = Math.ceil(n / perFolder);
  for (let f = 0; f < folders; f++) {
    const yml = ['version: 2', 'models:'];
    for (let j = 0; j < perFolder && f * perFolder + j < n; j++) {
      const i = f * perFolder + j;
      const name = `m_${i}`;
      let sql;
      if (j === 0) {
        sql = `select id, {{ clean('name') }} as name, {{ cents_to_dollars('amount') }} as amount\nfrom {{ source('raw', 't${f % 10}') }}\nwhere id > {{ var('min_id') }}\n`;
      } else if (i % 20 === 0) {
        // Nunjucks path: an incremental model with a block tag.
        sql = `{{ config(materialized='incremental', unique_key='id') }}\nselect id, name, amount\nfrom {{ ref('m_${i - 1}') }}\n{% if is_incremental() %}\nwhere id > (select max(id) from {{ this }})\n{% endif %}\n`;
      } else if (i % 10 === 0 && i >= 500) {
        // Fan-in: five parents from earlier folders.
        const parents = [1, 2, 3, 4, 5].map((k) => `m_${i - k * 97}`);
        sql = `{{ config(materialized='table', tags=['fanin']) }}\n${parents.map((p, k) => `select id, name, {{ safe_div('amount', '${k + 1}') }} as amount from {{ ref('${p}') }}`).join('\nunion all\n')}\n`;
      } else {
        sql = `select id, name, amount * ${j} as amount, {{ cents_to_dollars('amount') }} as dollars\nfrom {{ ref('m_${i - 1}') }}\nwhere name <> {{ var('skip_name', 'x') | sqlstring }}\n`;
      }
      write(path.join(dir, 'models', `f_${f}`, `${name}.sql`), sql);
      yml.push(
        `  - name: ${name}`,
        '    columns:',
        '      - name: id',
        `        tests: [not_null${i % 5 === 0 ? ', unique' : ''}]`,
      );
    }
    write(path.join(dir, 'models', `f_${f}`, 'schema.yml'), `${yml.join('\n')}\n`);
  }
}

/**
 * Runs `mdl compile` in a fresh process; returns wall ms and the child's own CPU ms (user+sys),
 * reported by a tiny wrapper so contention from other processes shows up as wall ≫ CPU.
 */
// Node flags of the launcher's shebang (`#!/usr/bin/env -S node <flags>`), so the benchmark runs
// mdl the way `npx mdl` does.
const launcherFlags = (/^#!.*?\bnode\b(.*)$/m.exec(fs.readFileSync(bin, 'utf8').split('\n')[0]) ?? [
  '',
  '',
])[1]
  .trim()
  .split(/\s+/)
  .filter((f) => f !== '');

function runCompile(dir) {
  const wrapper = [
    "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\n__cpu ${u.user} ${u.system}\\n`); });",
    `process.argv = [process.argv[0], ${JSON.stringify(bin)}, 'compile', '--project-dir', ${JSON.stringify(dir)}];`,
    `await import(${JSON.stringify(pathToFileURL(bin).href)});`,
  ].join('\n');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...launcherFlags, '--input-type=module', '-e', wrapper], {
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`mdl compile failed (${r.status}):\n${r.stderr}`);
  const cpu = /__cpu (\d+) (\d+)/.exec(r.stderr);
  return { wall: ms, cpu: cpu === null ? NaN : (Number(cpu[1]) + Number(cpu[2])) / 1000 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!fs.existsSync(path.join(repo, 'dist', 'mdl.js'))) {
  spawnSync(process.execPath, [path.join(repo, 'scripts', 'build.mjs')], {
    cwd: repo,
    stdio: 'inherit',
  });
}
const rows = [];
const loadBefore = os.loadavg()[0];
for (const n of SIZES) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mdl-bench-${n}-`));
  try {
    generate(dir, n);
    const runs = { cold: [], warm: [], change: [] };
    const trash = fs.mkdtempSync(path.join(os.tmpdir(), `mdl-bench-trash-`));
    for (let r = 0; r < RUNS; r++) {
      // Cold = no target/. The previous one is moved aside, not deleted: on ext4, creating
      // 10,000 files just after deleting 10,000 others is slow in the kernel (the inode
      // allocator skips recently deleted inodes one by one), which would time the file system's
      // state rather than mdl. The "after rm" column shows that case.
      if (fs.existsSync(path.join(dir, 'target')))
        fs.renameSync(path.join(dir, 'target'), path.join(trash, `target-${r}`));
      runs.cold.push(runCompile(dir));
      runs.warm.push(runCompile(dir));
      fs.appendFileSync(path.join(dir, 'models', 'f_0', 'm_5.sql'), `-- edit ${r}\n`);
      runs.change.push(runCompile(dir));
    }
    fs.rmSync(path.join(dir, 'target'), { recursive: true, force: true });
    const afterRm = runCompile(dir);
    fs.rmSync(trash, { recursive: true, force: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8'));
    const nodes = Object.keys(manifest.nodes).length;
    const m = (k, f) => median(runs[k].map((x) => x[f]));
    rows.push({
      n,
      nodes,
      cold: m('cold', 'wall'),
      coldCpu: m('cold', 'cpu'),
      warm: m('warm', 'wall'),
      warmCpu: m('warm', 'cpu'),
      change: m('change', 'wall'),
      changeCpu: m('change', 'cpu'),
      afterRm: afterRm.wall,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const pad = (s, w) => String(s).padStart(w);
const f0 = (x) => x.toFixed(0);
console.log(
  `mdl compile, whole process, median of ${RUNS} (node ${process.version}, ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)})`,
);
console.log(
  `${pad('models', 7)} ${pad('nodes', 6)} | ${pad('cold wall', 10)} ${pad('cpu', 6)} | ${pad('warm wall', 10)} ${pad('cpu', 6)} | ${pad('1-file wall', 12)} ${pad('cpu', 6)} | ${pad('cold/budget', 11)} ${pad('1-file/budget', 13)} | ${pad('cold after rm', 13)}`,
);
for (const r of rows) {
  console.log(
    `${pad(r.n, 7)} ${pad(r.nodes, 6)} | ${pad(f0(r.cold), 10)} ${pad(f0(r.coldCpu), 6)} | ${pad(f0(r.warm), 10)} ${pad(f0(r.warmCpu), 6)} | ${pad(f0(r.change), 12)} ${pad(f0(r.changeCpu), 6)} | ${pad(r.n === 10000 ? (r.cold / BUDGET.cold).toFixed(2) : '-', 11)} ${pad(r.n === 10000 ? (r.change / BUDGET.change).toFixed(2) : '-', 13)} | ${pad(f0(r.afterRm), 13)}`,
  );
}
console.log(
  `all times in ms; budgets (10,000 models): cold < ${BUDGET.cold} ms, one-file change < ${BUDGET.change} ms (ratios < 1.00 are within budget).`,
);
console.log(
  "cpu = the compile process's own user+sys time; wall ≫ cpu means the machine was busy with other work.",
);
console.log(
  'cold after rm = one cold compile right after `rm -rf target` (ext4 slows creating files just after deleting as many).',
);

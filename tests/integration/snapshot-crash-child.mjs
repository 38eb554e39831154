// Child process of the snapshot crash test: executes a planned snapshot (one JSON file of steps)
// against a DuckDB file exactly like the executor does — BEGIN, steps, COMMIT — so the parent
// can SIGKILL it at any point. Prints "done" when committed.
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [dbPath, planPath] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planPath, 'utf8'));
const db = await DuckDBInstance.create(dbPath, { threads: '2' });
const conn = await db.connect();
await conn.run('BEGIN TRANSACTION');
for (const step of plan.steps) {
  if (step.kind === 'check') {
    const r = await conn.runAndReadAll(step.sql);
    if (r.getRows().length > 0) {
      await conn.run('ROLLBACK');
      process.stdout.write('check failed\n');
      process.exit(3);
    }
  } else {
    await conn.run(step.sql);
  }
}
await conn.run('COMMIT');
conn.closeSync();
db.closeSync();
process.stdout.write('done\n');

import os from 'node:os';
import path from 'node:path';
import { openAdapter } from '../../adapters/open-adapter.js';
import { selectTarget } from '../../compiler/compile-project.js';
import { formatError } from '../../errors/mdl-error.js';
import { loadProject } from '../../project/load-project.js';
import type { Target } from '../../project/types.js';
import type { Command } from '../command.js';
import { projectOptions } from '../common-options.js';

/** Facts about a target that are safe to print (no hosts' tokens, no secret references). */
function describeTarget(t: Target): Record<string, string> {
  switch (t.type) {
    case 'duckdb':
      return {
        type: t.type,
        path: t.path,
        schema: t.schema,
        threads: String(t.threads),
        ...(t.database === undefined ? {} : { database: t.database }),
      };
    case 'databricks':
      return {
        type: t.type,
        catalog: t.catalog,
        schema: t.schema,
        auth: t.auth,
        threads: String(t.threads),
        host: typeof t.host === 'string' ? t.host : '(secret)',
      };
    case 'spark':
      return {
        type: t.type,
        host: typeof t.host === 'string' ? t.host : '(secret)',
        port: String(t.port),
        transport: t.transport,
        schema: t.schema,
        threads: String(t.threads),
      };
  }
}

/**
 * `mdl debug`: loads the project and the target, opens a connection, runs `select 1`, and prints
 * versions and paths — or what is wrong and what to do. Never prints secrets.
 */
export const debugCommand: Command = {
  name: 'debug',
  summary: 'Check the project, the target and the connection (select 1); print versions and paths',
  usage: 'Usage: mdl debug [--project-dir d] [--target t]',
  options: { ...projectOptions },
  async run(flags, _positionals, io) {
    const out: string[] = [`mdl 0.1.0, node ${process.version}, ${os.platform()} ${os.arch()}`];
    const say = (k: string, v: string): void => void out.push(`  ${k.padEnd(14)} ${v}`);
    const projectDir = path.resolve(
      io.cwd,
      typeof flags['project-dir'] === 'string' ? flags['project-dir'] : '.',
    );
    let target: Target;
    try {
      const project = await loadProject({
        projectDir,
        env: io.env,
        ...(typeof flags.target === 'string' ? { targetName: flags.target } : {}),
      });
      out.push('project: OK');
      say('name', project.name);
      say('dir', project.dir);
      say('targets file', project.targets.file);
      target = selectTarget(project, typeof flags.target === 'string' ? flags.target : undefined);
      out.push(`target '${target.name}':`);
      for (const [k, v] of Object.entries(describeTarget(target))) say(k, v);
    } catch (err) {
      io.stdout(`${out.join('\n')}\n`);
      io.stderr(`project: FAILED\n${formatError(err)}\n`);
      return 1;
    }
    try {
      const t0 = performance.now();
      const adapter = await openAdapter(target, 1);
      try {
        const conn = await adapter.pool.acquire();
        try {
          const one = await conn.query('SELECT 1 AS ok');
          if (Number(one[0]?.ok) !== 1) throw new Error('select 1 returned an unexpected result');
          const facts = await adapter.describeEngine(conn);
          out.push(`connection: OK (${Math.round(performance.now() - t0)} ms)`);
          for (const [k, v] of Object.entries(facts)) say(k, v);
        } finally {
          adapter.pool.release(conn);
        }
      } finally {
        await adapter.close();
      }
    } catch (err) {
      io.stdout(`${out.join('\n')}\n`);
      io.stderr(`connection: FAILED\n${formatError(err)}\n`);
      return 1;
    }
    io.stdout(`${out.join('\n')}\nAll checks passed.\n`);
    return 0;
  },
};

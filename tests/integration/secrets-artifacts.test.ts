import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAdapter } from '../../runner/adapters/open-adapter.js';
import { compileProject } from '../../runner/compiler/compile-project.js';
import { writeManifest } from '../../runner/compiler/write-artifacts.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { runInvocation } from '../../runner/execute/invocation.js';
import { loadProject } from '../../runner/project/load-project.js';
import { createEnvSecretProvider } from '../../runner/secrets/env-provider.js';
import { writeProject } from '../helpers/temp-project.js';

// Secret values must never reach artifacts or errors. The project has a secret-bearing target
// and the secret values are present in the environment the whole time.

const TOKEN = 'dapi-LEAK-CANARY-7f3a9c';
const CLIENT_SECRET = 'sp-LEAK-CANARY-b81e22';
const ENV = {
  MDL_SECRET_DATABRICKS_TOKEN: TOKEN,
  MDL_SECRET_DATABRICKS_SP_SECRET: CLIENT_SECRET,
  DATABRICKS_HOST: 'adb-1.azuredatabricks.net',
};

const TARGETS = `default: dev
secrets:
  provider: env
targets:
  dev: {type: duckdb, path: target/dev.duckdb, schema: main}
  prod:
    type: databricks
    host: "{{ env_var('DATABRICKS_HOST') }}"
    http_path: /sql/1.0/warehouses/abc
    catalog: healthcare
    auth: pat
    token: "secret('databricks-token')"
    client_secret: "secret('databricks-sp-secret')"
`;

function files(): Record<string, string> {
  return {
    'configs/targets.yml': TARGETS,
    'models/silver/patients.sql': "select 1 as patient_id, 'hos-a' as datasource",
    'models/gold/patient_count.sql': "select count(*) as n from {{ ref('patients') }}",
  };
}

function allArtifactText(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!p.endsWith('.duckdb') && !p.endsWith('.wal')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(dir, 'target'));
  return out.join('\n');
}

describe('secret values never reach artifacts or error messages', () => {
  it('manifest.json compiled for a secret-bearing target holds no secret value', async () => {
    const dir = writeProject(files());
    const project = await loadProject({ projectDir: dir, env: ENV, targetName: 'prod' });
    const prod = project.targets.targets.prod!;
    expect(prod.type === 'databricks' && prod.token).toEqual({ secret: 'databricks-token' });
    const manifest = await compileProject(project, {
      useCache: false,
      env: ENV,
      targetName: 'prod',
    });
    const file = writeManifest(manifest, project.targetPath);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('"targetType":"databricks"'); // compiled for the Databricks target …
    expect(text).toContain('"catalog":"healthcare"'); // … with its catalog
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(CLIENT_SECRET);
  });

  it('run_results.json, mdl.log and manifest.json of a run hold no secret value', async () => {
    const dir = writeProject(files());
    const project = await loadProject({ projectDir: dir, env: ENV });
    const manifest = await compileProject(project, { useCache: false, env: ENV });
    writeManifest(manifest, project.targetPath);
    const target = project.targets.targets.dev!;
    const out = await runInvocation({
      command: 'build',
      project,
      manifest,
      target,
      criteria: { select: [], exclude: [] },
      failFast: false,
      fullRefresh: false,
      args: { target: 'dev' },
    });
    expect(out.runResults.results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(fs.existsSync(path.join(dir, 'target/run_results.json'))).toBe(true);
    const text = allArtifactText(dir);
    expect(text).toContain('model.proj.patient_count');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(CLIENT_SECRET);
  });

  it('opening the target with a missing secret names only the secret, not other values', async () => {
    const dir = writeProject(files());
    const project = await loadProject({ projectDir: dir, env: ENV, targetName: 'prod' });
    const prod = project.targets.targets.prod!;
    // Only the client secret is available: the token lookup fails.
    const secrets = createEnvSecretProvider({ MDL_SECRET_DATABRICKS_SP_SECRET: CLIENT_SECRET });
    const err = await openAdapter(prod, 1, secrets).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MdlError);
    const e = err as MdlError;
    expect(e.code).toBe('E_SECRET');
    expect(e.message).toBe("target 'prod' field 'token': secret('databricks-token') is not set");
    const shown = `${e.message}\n${e.hint ?? ''}\n${e.stack ?? ''}`;
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain(CLIENT_SECRET);
  });
});

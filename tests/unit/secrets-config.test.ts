import { describe, expect, it } from 'vitest';
import { loadProject } from '../../runner/project/load-project.js';
import { problemsOf, writeProject } from '../helpers/temp-project.js';

const TARGETS = (secrets: string): string =>
  `default: dev\n${secrets}targets:\n  dev: {type: duckdb, path: x.duckdb}\n  prod:\n    type: databricks\n    host: h\n    http_path: /p\n    catalog: c\n    token: "secret('databricks-token')"\n`;

async function load(secrets: string, env: Record<string, string> = {}) {
  const dir = writeProject({ 'configs/targets.yml': TARGETS(secrets) });
  return loadProject({ projectDir: dir, env, useCache: false });
}

async function problems(secrets: string, env: Record<string, string> = {}) {
  const dir = writeProject({ 'configs/targets.yml': TARGETS(secrets) });
  return problemsOf(loadProject({ projectDir: dir, env, useCache: false }));
}

describe('targets.yml secrets: block', () => {
  it('absent: no provider recorded (env is the default)', async () => {
    const p = await load('');
    expect(p.targets.secrets).toBeUndefined();
    expect(p.targets.targets.prod!.secrets).toBeUndefined();
  });

  it('azure-key-vault with env_var() vault URL: on the config and on every target', async () => {
    const p = await load(
      'secrets:\n  provider: azure-key-vault\n  vault_url: "{{ env_var(\'MDL_KEY_VAULT_URL\') }}"\n',
      { MDL_KEY_VAULT_URL: 'https://hc-kv.vault.azure.net/' },
    );
    const want = { provider: 'azure-key-vault', vaultUrl: 'https://hc-kv.vault.azure.net' };
    expect(p.targets.secrets).toEqual(want);
    expect(p.targets.targets.prod!.secrets).toEqual(want);
    expect(p.targets.targets.dev!.secrets).toEqual(want);
    // The secret reference itself stays unresolved until a connection opens.
    const prod = p.targets.targets.prod!;
    expect(prod.type === 'databricks' && prod.token).toEqual({ secret: 'databricks-token' });
  });

  it('provider from the environment with an env default (the shipped configs/targets.yml shape)', async () => {
    const block =
      "secrets:\n  provider: \"{{ env_var('MDL_SECRETS_PROVIDER', 'env') }}\"\n  vault_url: \"{{ env_var('MDL_KEY_VAULT_URL', '') }}\"\n";
    expect((await load(block)).targets.secrets).toEqual({ provider: 'env' });
    const kv = await load(block, {
      MDL_SECRETS_PROVIDER: 'azure-key-vault',
      MDL_KEY_VAULT_URL: 'https://hc-kv.vault.azure.net',
    });
    expect(kv.targets.secrets).toEqual({
      provider: 'azure-key-vault',
      vaultUrl: 'https://hc-kv.vault.azure.net',
    });
    const errs = await problems(block, { MDL_SECRETS_PROVIDER: 'azure-key-vault' });
    expect(errs.map((e) => [e.code, e.file, e.line, e.message])).toEqual([
      [
        'E_SCHEMA',
        'configs/targets.yml',
        4,
        'secrets.vault_url: is required for provider azure-key-vault',
      ],
    ]);
  });

  it('validation errors point at file:line', async () => {
    const errs = await problems(
      'secrets:\n  provider: hashicorp\n  vault_url: https://x.vault.azure.net\n  region: eu\n',
    );
    expect(errs.map((e) => [e.code, e.line, e.message])).toEqual([
      ['E_SCHEMA', 5, "secrets.region: unknown key 'region'"],
      ['E_SCHEMA', 3, "secrets.provider: expected one of env, azure-key-vault (got 'hashicorp')"],
    ]);
    const http = await problems(
      'secrets:\n  provider: azure-key-vault\n  vault_url: http://x.vault.azure.net\n',
    );
    expect(http.map((e) => [e.line, e.message])).toEqual([
      [4, "secrets.vault_url: expected an https:// URL (got 'http://x.vault.azure.net')"],
    ]);
    const missing = await problems(
      'secrets:\n  provider: azure-key-vault\n  vault_url: "{{ env_var(\'NO_KV_URL\') }}"\n',
    );
    expect(missing.map((e) => [e.code, e.line])).toEqual([['E_ENV_VAR', 4]]);
    expect(missing[0]!.message).toContain("'NO_KV_URL' is not set");
    const notMap = await problems('secrets: azure-key-vault\n');
    expect(notMap.map((e) => [e.line, e.message])).toEqual([
      [2, 'secrets: expected a mapping (key: value), got a string'],
    ]);
  });
});

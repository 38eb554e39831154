/**
 * The `secrets:` block of configs/targets.yml:
 *
 *   secrets:
 *     provider: azure-key-vault            # or env (the default)
 *     vault_url: "{{ env_var('MDL_KEY_VAULT_URL') }}"
 *
 * Both values may use env_var(); problems are reported at file:line through the YamlReader.
 */
import { resolveConfigString } from '../project/env-values.js';
import type { SecretsConfig } from '../project/types.js';
import { childPath } from '../project/yaml-data.js';
import type { YamlReader } from '../project/yaml-reader.js';

const PROVIDERS = ['env', 'azure-key-vault'] as const;

/** Validates a `secrets:` block; undefined when absent (the env provider then applies). */
export function readSecretsConfig(
  r: YamlReader,
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
): SecretsConfig | undefined {
  const p = 'secrets';
  const m = r.map(p, raw);
  if (m === undefined) return undefined;
  r.knownKeys(p, m, ['provider', 'vault_url']);
  /** A string value with env_var() resolved; `missing` names an unset variable without default. */
  const text = (key: string): { value?: string; missing?: string } => {
    const v = r.string(childPath(p, key), m[key]);
    if (v === undefined) return {};
    const res = resolveConfigString(v, env);
    if (res.kind === 'missing-env') return { missing: res.name };
    if (typeof res.value !== 'string') {
      r.error(childPath(p, key), 'cannot be a secret() reference');
      return {};
    }
    return { value: res.value.trim() };
  };
  const provider = text('provider');
  if (provider.missing !== undefined) {
    r.error(
      childPath(p, 'provider'),
      `environment variable '${provider.missing}' is not set and has no default`,
      `export ${provider.missing}=… or write env_var('${provider.missing}', 'env')`,
      'E_ENV_VAR',
    );
    return undefined;
  }
  const name = provider.value === undefined || provider.value === '' ? 'env' : provider.value;
  switch (name) {
    case 'env':
      return { provider: 'env' };
    case 'azure-key-vault': {
      const url = text('vault_url');
      if (url.missing !== undefined) {
        r.error(
          childPath(p, 'vault_url'),
          `environment variable '${url.missing}' is not set and has no default`,
          `export ${url.missing}=https://<vault-name>.vault.azure.net`,
          'E_ENV_VAR',
        );
        return undefined;
      }
      if (url.value === undefined || url.value === '') {
        r.error(
          childPath(p, 'vault_url'),
          'is required for provider azure-key-vault',
          'set vault_url: https://<vault-name>.vault.azure.net',
        );
        return undefined;
      }
      if (!isHttpsUrl(url.value)) {
        r.error(
          childPath(p, 'vault_url'),
          `expected an https:// URL (got '${url.value}')`,
          'set vault_url: https://<vault-name>.vault.azure.net',
        );
        return undefined;
      }
      return { provider: 'azure-key-vault', vaultUrl: url.value.replace(/\/+$/, '') };
    }
    default:
      r.error(childPath(p, 'provider'), `expected one of ${PROVIDERS.join(', ')} (got '${name}')`);
      return undefined;
  }
}

function isHttpsUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && u.hostname !== '';
  } catch {
    return false;
  }
}

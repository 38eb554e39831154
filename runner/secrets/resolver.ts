/**
 * The one secret resolver: builds the provider named by targets.yml `secrets:` and adapts it to
 * its consumers — the async {@link ConfigResolver} of the Spark/Databricks adapters and the
 * synchronous resolver of ingest connections (values fetched up front, errors kept per name).
 */
import type { ConfigResolver } from '../adapters/spark-adapter.js';
import { MdlError } from '../errors/mdl-error.js';
import type { SecretsConfig } from '../project/types.js';
import { createEnvSecretProvider } from './env-provider.js';
import { KeyVaultClient } from './key-vault-client.js';
import type { KeyVaultClientOptions } from './key-vault-client.js';
import type { SecretProvider, TokenCredentialLike } from './secret-provider.js';

export interface SecretProviderOptions {
  /** Environment for the env provider and the Azure service principal (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Token credential for Key Vault (default: ClientSecretCredential from AZURE_* env vars). */
  readonly credential?: TokenCredentialLike;
  /** Extra Key Vault client options (tests: CA, retry timing). */
  readonly keyVault?: Omit<KeyVaultClientOptions, 'vaultUrl' | 'credential'>;
}

/** Builds the provider for a `secrets:` config (undefined = env). */
export function createSecretProvider(
  config: SecretsConfig | undefined,
  opts: SecretProviderOptions = {},
): SecretProvider {
  const env = opts.env ?? process.env;
  const cfg: SecretsConfig = config ?? { provider: 'env' };
  switch (cfg.provider) {
    case 'env':
      return createEnvSecretProvider(env);
    case 'azure-key-vault':
      return new KeyVaultClient({
        ...opts.keyVault,
        vaultUrl: cfg.vaultUrl,
        credential: opts.credential ?? envClientSecretCredential(env),
      });
  }
}

/** Key Vault clients shared by the process, so each secret is fetched once per vault. */
const shared = new Map<string, SecretProvider>();

/**
 * The process-wide provider for a config: Key Vault clients (and their value caches) are reused
 * across adapters and ingest; the env provider reads process.env.
 */
export function sharedSecretProvider(config: SecretsConfig | undefined): SecretProvider {
  if (config === undefined || config.provider === 'env') return createSecretProvider(config);
  const existing = shared.get(config.vaultUrl);
  if (existing !== undefined) return existing;
  const provider = createSecretProvider(config);
  shared.set(config.vaultUrl, provider);
  return provider;
}

/**
 * A ClientSecretCredential from AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, created
 * on first use (so a run that needs no secret does not need the variables or load the package).
 */
export function envClientSecretCredential(
  env: Readonly<Record<string, string | undefined>>,
): TokenCredentialLike {
  let credential: Promise<TokenCredentialLike> | undefined;
  return {
    getToken(scopes) {
      if (credential === undefined) {
        const vars = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;
        const missing = vars.filter((v) => (env[v] ?? '') === '');
        if (missing.length > 0)
          return Promise.reject(
            new Error(`${missing.join(', ')} not set (service principal for Key Vault)`),
          );
        const [tenant, client, secret] = vars.map((v) => env[v] ?? '');
        credential = import('@azure/identity').then(
          ({ ClientSecretCredential }) =>
            new ClientSecretCredential(tenant ?? '', client ?? '', secret ?? ''),
        );
      }
      return credential.then((c) => c.getToken(scopes));
    },
  };
}

/**
 * Adapter-side resolver: plain values pass through; `secret('x')` goes to the provider, and a
 * failure says which target field needed it.
 */
export function configResolver(provider: SecretProvider, targetName: string): ConfigResolver {
  return async (value, field) => {
    if (typeof value !== 'object') return String(value);
    try {
      return await provider.get(value.secret);
    } catch (err) {
      if (!(err instanceof MdlError)) throw err;
      throw new MdlError(err.code, `target '${targetName}' field '${field}': ${err.message}`, {
        file: 'configs/targets.yml',
        ...(err.hint === undefined ? {} : { hint: err.hint }),
      });
    }
  };
}

/** Synchronous lookup used by ingest's connection code (see {@link prefetchSecrets}). */
export type PrefetchedSecrets = (name: string) => string | undefined;

/**
 * Resolves the named secrets now (concurrently) and returns a synchronous lookup: a value, or
 * the provider's E_SECRET error rethrown when that secret is asked for — so a secret that only
 * an unused connection needs never fails the run.
 */
export async function prefetchSecrets(
  provider: SecretProvider,
  names: Iterable<string>,
): Promise<PrefetchedSecrets> {
  const unique = [...new Set(names)];
  const settled = await Promise.allSettled(unique.map((n) => provider.get(n)));
  const values = new Map<string, string>();
  const errors = new Map<string, Error>();
  settled.forEach((s, i) => {
    const name = unique[i] ?? '';
    if (s.status === 'fulfilled') values.set(name, s.value);
    else
      errors.set(
        name,
        s.reason instanceof Error
          ? s.reason
          : new MdlError('E_SECRET', `secret('${name}') could not be resolved`),
      );
  });
  return (name) => {
    const v = values.get(name);
    if (v !== undefined) return v;
    const err = errors.get(name);
    if (err !== undefined) throw err;
    return undefined;
  };
}

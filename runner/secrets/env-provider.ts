import { MdlError } from '../errors/mdl-error.js';
import type { SecretProvider } from './secret-provider.js';

/** `secret('hosa-password')` → `MDL_SECRET_HOSA_PASSWORD` (upper-cased, non-alphanumerics → `_`). */
export function envSecretVariable(name: string): string {
  return `MDL_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The local/dev/CI provider: reads `MDL_SECRET_<NAME>` from the given environment at the time a
 * secret is needed (no caching: the environment is already in memory).
 */
export function createEnvSecretProvider(
  env: Readonly<Record<string, string | undefined>>,
): SecretProvider {
  return {
    description: 'env (MDL_SECRET_<NAME>)',
    get(name: string): Promise<string> {
      const variable = envSecretVariable(name);
      const value = env[variable];
      if (value === undefined)
        return Promise.reject(
          new MdlError('E_SECRET', `secret('${name}') is not set`, {
            hint: `export ${variable}=… (secrets provider: env), or configure secrets: {provider: azure-key-vault} in configs/targets.yml`,
          }),
        );
      return Promise.resolve(value);
    },
  };
}

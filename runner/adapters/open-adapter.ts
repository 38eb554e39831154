import type { Target } from '../project/types.js';
import { configResolver, sharedSecretProvider } from '../secrets/resolver.js';
import type { SecretProvider } from '../secrets/secret-provider.js';
import type { Adapter } from './adapter.js';

/**
 * Opens the adapter for a target. Engines are imported lazily so a DuckDB run never loads the
 * Spark/Databricks drivers. Other engines register here with one line each. `secret('…')`
 * target values resolve through `secrets` (default: the provider of targets.yml `secrets:`).
 */
export async function openAdapter(
  target: Target,
  threads?: number,
  secrets?: SecretProvider,
): Promise<Adapter> {
  const resolver = (): ReturnType<typeof configResolver> =>
    configResolver(secrets ?? sharedSecretProvider(target.secrets), target.name);
  switch (target.type) {
    case 'duckdb': {
      const { createDuckDbAdapter } = await import('./duckdb-adapter.js');
      return createDuckDbAdapter(target, threads ?? target.threads);
    }
    case 'spark': {
      const { createSparkAdapter } = await import('./spark-adapter.js');
      return createSparkAdapter(target, threads ?? target.threads, resolver());
    }
    case 'databricks': {
      const { createDatabricksAdapter } = await import('./databricks-adapter.js');
      return createDatabricksAdapter(target, threads ?? target.threads, resolver());
    }
  }
}

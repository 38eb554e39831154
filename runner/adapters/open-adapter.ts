import type { Target } from '../project/types.js';
import type { Adapter } from './adapter.js';

/**
 * Opens the adapter for a target. Engines are imported lazily so a DuckDB run never loads the
 * Spark/Databricks drivers. Other engines register here with one line each.
 */
export async function openAdapter(target: Target, threads?: number): Promise<Adapter> {
  switch (target.type) {
    case 'duckdb': {
      const { createDuckDbAdapter } = await import('./duckdb-adapter.js');
      return createDuckDbAdapter(target, threads ?? target.threads);
    }
    case 'spark': {
      const { createSparkAdapter } = await import('./spark-adapter.js');
      return createSparkAdapter(target, threads ?? target.threads);
    }
    case 'databricks': {
      const { createDatabricksAdapter } = await import('./databricks-adapter.js');
      return createDatabricksAdapter(target, threads ?? target.threads);
    }
  }
}

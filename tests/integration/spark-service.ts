import { describe, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Connection } from '../../runner/connections/connection.js';
import {
  SparkConnection,
  type SparkConnectOptions,
} from '../../runner/connections/spark-connection.js';
import type { SparkTarget } from '../../runner/project/types.js';

/**
 * The local Spark Thrift Server (scripts/services/spark.sh start) as found through
 * MDL_SPARK_HOST / MDL_SPARK_PORT. With MDL_REQUIRE_SERVICES=1 a missing server is a failing test.
 */
export const sparkHost = process.env.MDL_SPARK_HOST;
export const sparkPort = Number(process.env.MDL_SPARK_PORT ?? '10009');
export const sparkAvailable = sparkHost !== undefined && sparkHost !== '';

/** Registers a failing test (services required) or a visible skip when no server is configured. */
export function requireSparkOrReport(suite: string): void {
  if (sparkAvailable) return;
  if (process.env.MDL_REQUIRE_SERVICES === '1') {
    describe(suite, () => {
      it('needs the Spark Thrift Server', () => {
        throw new Error(
          'MDL_SPARK_HOST is not set: run `scripts/services/spark.sh start && source .services/spark.env`',
        );
      });
    });
  } else {
    describe.skip(`${suite} (skipped: MDL_SPARK_HOST not set; run scripts/services/spark.sh start)`, () => {
      it('needs the Spark Thrift Server', () => undefined);
    });
  }
}

export function sparkOptions(extra: Partial<SparkConnectOptions> = {}): SparkConnectOptions {
  return {
    host: sparkHost ?? '127.0.0.1',
    port: sparkPort,
    transport: 'binary',
    auth: 'NONE',
    ...extra,
  };
}

export function sparkTarget(schema: string, threads = 2): SparkTarget {
  return {
    type: 'spark',
    name: 'spark',
    host: sparkHost ?? '127.0.0.1',
    port: sparkPort,
    transport: 'binary',
    auth: 'NONE',
    schema,
    threads,
  };
}

/** A fresh schema name per test, so suites can share one server. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function withSpark<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await SparkConnection.open(sparkOptions());
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** Drops the given schemas with everything in them. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  if (!sparkAvailable) return;
  await withSpark(async (c) => {
    for (const s of schemas) await c.execute(`DROP SCHEMA IF EXISTS \`${s}\` CASCADE`);
  });
}

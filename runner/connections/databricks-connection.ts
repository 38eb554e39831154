import { DBSQLClient } from '@databricks/sql';
import { MdlError } from '../errors/mdl-error.js';
import type { Connection, ExecuteResult, QueryOptions, Row } from './connection.js';
import { sparkErrorToMdl } from './spark-errors.js';

type IDBSQLSession = Awaited<ReturnType<DBSQLClient['openSession']>>;
type IOperation = Awaited<ReturnType<IDBSQLSession['executeStatement']>>;

/** How the warehouse is authenticated (secrets already resolved; never logged). */
export type DatabricksAuth =
  | { readonly kind: 'pat'; readonly token: string }
  | {
      /** OAuth M2M or Azure AD: a bearer token source (see databricks-auth.ts). */
      readonly kind: 'oauth-m2m' | 'azure-ad';
      readonly getToken: () => Promise<string>;
    };

/** Resolved settings for one Databricks SQL warehouse connection. */
export interface DatabricksConnectOptions {
  /** Workspace host name (no scheme), e.g. `adb-123.4.azuredatabricks.net`. */
  readonly host: string;
  readonly port?: number;
  /** Warehouse HTTP path, e.g. `/sql/1.0/warehouses/abc`. */
  readonly httpPath: string;
  readonly auth: DatabricksAuth;
  readonly catalog?: string;
  readonly schema?: string;
  /** mdl run id, sent as a session query tag so warehouse query history links back to the run. */
  readonly runId?: string;
  /** Extra trusted CA (PEM) on top of the system roots: TLS-inspecting proxies, test servers. */
  readonly caCert?: string | Buffer;
  /** Total attempts for retryable HTTP failures (a starting warehouse answers 503). Default 6. */
  readonly retryMaxAttempts?: number;
  /** Upper bound on the time spent retrying, ms. Default 5 minutes (warehouse cold start). */
  readonly retriesTimeoutMs?: number;
  readonly retryDelayMinMs?: number;
  readonly retryDelayMaxMs?: number;
  /** Driver telemetry; off unless explicitly enabled. */
  readonly telemetry?: boolean;
  readonly targetName?: string;
}

/** The SDK's connect options for our settings (pure; exported for tests). */
export function clientOptions(o: DatabricksConnectOptions): Parameters<DBSQLClient['connect']>[0] {
  const common = {
    host: o.host,
    path: o.httpPath,
    ...(o.port === undefined ? {} : { port: o.port }),
    ...(o.caCert === undefined ? {} : { customCaCert: o.caCert }),
    userAgentEntry: 'mdl',
    telemetryEnabled: o.telemetry === true,
    retryMaxAttempts: o.retryMaxAttempts ?? 6,
    retriesTimeout: o.retriesTimeoutMs ?? 300_000,
    retryDelayMin: o.retryDelayMinMs ?? 1_000,
    retryDelayMax: o.retryDelayMaxMs ?? 30_000,
    preserveBigNumericPrecision: true,
  };
  switch (o.auth.kind) {
    case 'pat':
      return { ...common, authType: 'access-token', token: o.auth.token };
    case 'oauth-m2m':
    case 'azure-ad':
      return { ...common, authType: 'external-token', getToken: o.auth.getToken };
  }
}

function describe(o: DatabricksConnectOptions): string {
  return `https://${o.host}${o.port === undefined ? '' : `:${o.port}`}${o.httpPath.startsWith('/') ? '' : '/'}${o.httpPath}`;
}

/** Message of an SDK error; the server's text for statement errors (may quote values → parsed). */
function rawMessage(err: unknown): string {
  // OperationStateError carries the server's text in the status response, not in `message`.
  const response = (
    err as { response?: { errorMessage?: unknown; displayMessage?: unknown } } | null
  )?.response;
  const server = response?.errorMessage ?? response?.displayMessage;
  if (typeof server === 'string' && server !== '') return server;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The SDK logs to stdout by default; mdl reports through its own errors instead. */
const silentLogger = { log: (): void => undefined };

/** Failures worth retrying while a warehouse starts: 429/502/503/504 and dropped sockets. */
function isRetryable(err: unknown): boolean {
  const text = rawMessage(err);
  const code = (err as { code?: unknown } | null)?.code;
  return (
    /\b(429|502|503|504)\b/.test(text) ||
    /TEMPORARILY_UNAVAILABLE|socket hang up/i.test(text) ||
    (typeof code === 'string' && ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(code))
  );
}

function connectionError(o: DatabricksConnectOptions, err: unknown): MdlError {
  const first = rawMessage(err).split('\n')[0] ?? '';
  const status = /\b(401|403|404|429|5\d\d)\b/.exec(first)?.[1];
  const hint =
    status === '401' || status === '403'
      ? 'the credentials were rejected: check token / client id + secret / tenant (Key Vault secrets) for this target'
      : status === '404'
        ? 'check http_path (SQL warehouse → Connection details) in configs/targets.yml'
        : 'check host and http_path in configs/targets.yml; a stopped warehouse may need a few minutes to start';
  return new MdlError(
    'E_CONNECTION',
    `cannot open a Databricks session at ${describe(o)}${o.targetName === undefined ? '' : ` (target '${o.targetName}')`}: ${first.replace(/Bearer\s+\S+/gi, 'Bearer <redacted>')}`,
    { hint },
  );
}

/** Column name → Thrift type id, from the operation's result schema. */
type ColumnTypes = ReadonlyMap<string, number | undefined>;

const BIGINT_TYPE = 4; // TTypeId.BIGINT_TYPE
const DECIMAL_TYPE = 15; // TTypeId.DECIMAL_TYPE

/**
 * Plain JS values as the other connections return them: BIGINT → bigint, DECIMAL → string, dates
 * and timestamps → ISO text. Arrow results (real warehouses) arrive exact thanks to
 * `preserveBigNumericPrecision`; column-based results arrive as JS numbers from the SDK and are
 * converted back (exact up to 2^53, which covers NPI and surrogate ids).
 */
function normalise(row: Record<string, unknown>, types: ColumnTypes): Row {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const t = types.get(k);
    if (v instanceof Date)
      out[k] = v
        .toISOString()
        .replace('Z', '')
        .replace(/\.000$/, '');
    else if (t === BIGINT_TYPE && typeof v === 'number' && Number.isSafeInteger(v))
      out[k] = BigInt(v);
    else if (t === DECIMAL_TYPE && typeof v === 'number') out[k] = String(v);
    else out[k] = v;
  }
  return out;
}

/** One Databricks SQL session (@databricks/sql over Thrift/HTTPS). */
export class DatabricksConnection implements Connection {
  readonly kind = 'databricks' as const;
  private readonly running = new Set<IOperation>();
  private closed = false;

  private constructor(
    private readonly client: DBSQLClient,
    private readonly session: IDBSQLSession,
  ) {}

  /**
   * Connects and opens a session. A stopped SQL warehouse answers 503 (or 429) while it starts;
   * the driver does not retry OpenSession, so it is retried here with exponential backoff, bounded
   * by `retryMaxAttempts` and `retriesTimeoutMs`.
   */
  static async open(o: DatabricksConnectOptions): Promise<DatabricksConnection> {
    const attempts = Math.max(1, o.retryMaxAttempts ?? 6);
    const deadline = Date.now() + (o.retriesTimeoutMs ?? 300_000);
    for (let attempt = 1; ; attempt++) {
      try {
        return await DatabricksConnection.openOnce(o);
      } catch (err) {
        const delay = Math.min(
          (o.retryDelayMinMs ?? 1_000) * 2 ** (attempt - 1),
          o.retryDelayMaxMs ?? 30_000,
        );
        if (!isRetryable(err) || attempt >= attempts || Date.now() + delay > deadline)
          throw connectionError(o, err);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private static async openOnce(o: DatabricksConnectOptions): Promise<DatabricksConnection> {
    const client = new DBSQLClient({ logger: silentLogger });
    // The SDK emits 'error' for socket problems; a listener keeps them from crashing the process.
    client.on('error', () => undefined);
    try {
      await client.connect(clientOptions(o));
      const session = await client.openSession({
        ...(o.catalog === undefined ? {} : { initialCatalog: o.catalog }),
        ...(o.schema === undefined ? {} : { initialSchema: o.schema }),
        ...(o.runId === undefined ? {} : { queryTags: { mdl_run_id: o.runId } }),
      });
      return new DatabricksConnection(client, session);
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
  }

  private async run(sql: string, opts: QueryOptions | undefined): Promise<Row[]> {
    if (this.closed) throw new MdlError('E_INTERNAL', 'Databricks connection used after close');
    const signal = opts?.signal;
    if (signal?.aborted === true) throw new MdlError('E_CANCELLED', 'statement cancelled');
    let op: IOperation | undefined;
    let cancelled = false;
    const onAbort = (): void => {
      cancelled = true;
      op?.cancel().catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      op = await this.session.executeStatement(sql, { runAsync: true, maxRows: 10_000 });
      this.running.add(op);
      const rows = (await op.fetchAll()) as Record<string, unknown>[];
      const schema = await op.getSchema();
      const types: ColumnTypes = new Map(
        (schema?.columns ?? []).map(
          (c) => [c.columnName, c.typeDesc.types[0]?.primitiveEntry?.type] as const,
        ),
      );
      return rows.map((r) => normalise(r, types));
    } catch (err) {
      if (cancelled) throw new MdlError('E_CANCELLED', 'statement cancelled');
      throw err instanceof MdlError
        ? err
        : sparkErrorToMdl(rawMessage(err), { engine: 'Databricks' });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (op !== undefined) {
        this.running.delete(op);
        await op.close().catch(() => undefined);
      }
    }
  }

  /** DML on Delta returns `num_affected_rows`. */
  async execute(sql: string, opts?: QueryOptions): Promise<ExecuteResult> {
    const rows = await this.run(sql, opts);
    const n = rows.length === 1 ? rows[0]?.num_affected_rows : undefined;
    return typeof n === 'bigint' || typeof n === 'number' ? { rowsAffected: Number(n) } : {};
  }

  query(sql: string, opts?: QueryOptions): Promise<readonly Row[]> {
    return this.run(sql, opts);
  }

  async cancel(): Promise<void> {
    await Promise.all([...this.running].map((op) => op.cancel().catch(() => undefined)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cancel();
    await this.session.close().catch(() => undefined);
    await this.client.close().catch(() => undefined);
  }
}

/** Opens one Databricks SQL session as a {@link Connection}. */
export function openDatabricks(o: DatabricksConnectOptions): Promise<Connection> {
  return DatabricksConnection.open(o);
}

import hive from 'hive-driver';
import { MdlError } from '../errors/mdl-error.js';
import type { Connection, ExecuteResult, QueryOptions, Row } from './connection.js';
import { csvViewStatements, extractCsvDirectives } from '../dialects/spark-csv.js';
import { sparkErrorToMdl } from './spark-errors.js';
import { decodeRowSets, type RowSet, type SchemaColumn, type TypeIds } from './spark-rows.js';

/** Resolved (secret-free in logs) settings for one Spark Thrift Server connection. */
export interface SparkConnectOptions {
  readonly host: string;
  readonly port: number;
  /** `binary` = HiveServer2 TCP transport; `http` = Thrift over HTTP (`httpPath`). */
  readonly transport: 'binary' | 'http';
  /** `NOSASL` = raw Thrift; `PLAIN`/`NONE` = SASL PLAIN (NONE sends an anonymous user). */
  readonly auth: 'NOSASL' | 'PLAIN' | 'NONE';
  readonly user?: string;
  readonly password?: string;
  /** HTTP transport path (HiveServer2 default `cliservice`). */
  readonly httpPath?: string;
  /** TLS (binary) / HTTPS (http). */
  readonly tls?: boolean;
  /** Session configuration sent with OpenSession (`spark.sql.*` settings, `use:database`). */
  readonly sessionConf?: Readonly<Record<string, string>>;
  readonly connectTimeoutMs?: number;
  /** Target name for messages. */
  readonly targetName?: string;
  /** Read row counts of CTAS/INSERT from the Delta log (one extra statement each); default true. */
  readonly rowCounts?: boolean;
}

const NAME_PART = '(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*)';
const WRITE_RE = new RegExp(
  `^\\s*(?:CREATE\\s+(?:OR\\s+REPLACE\\s+)?TABLE|INSERT\\s+(?:INTO|OVERWRITE)(?:\\s+TABLE)?)\\s+(${NAME_PART}(?:\\.${NAME_PART}){0,2})`,
  'i',
);

/** The relation a CTAS / INSERT statement writes, as written in the statement. */
export function writtenRelation(sql: string): string | undefined {
  if (/^\s*CREATE\b/i.test(sql) && !/\bAS\b/i.test(sql)) return undefined;
  return WRITE_RE.exec(sql)?.[1];
}

/** The part of hive-driver's IOperation used here. */
interface Operation {
  status(progress: boolean): Promise<{
    operationState?: number;
    errorMessage?: string;
    sqlState?: string;
    hasResultSet?: boolean;
  }>;
  fetch(): Promise<unknown>;
  cancel(): Promise<unknown>;
  close(): Promise<unknown>;
  hasMoreRows(): boolean;
  setMaxRows(n: number): void;
  getSchema(): { columns?: SchemaColumn[] } | null;
  getData(): RowSet[];
  finished(): boolean;
}
interface Session {
  executeStatement(sql: string, opts?: { runAsync?: boolean }): Promise<Operation>;
  close(): Promise<unknown>;
}

const { TCLIService, TCLIService_types: T } = hive.thrift;
const STATE = T.TOperationState as Readonly<Record<string, number>>;
const TYPE_IDS = T.TTypeId as TypeIds;
const FETCH_SIZE = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Message of a hive-driver / thrift error: StatusError carries the server's errorMessage. */
function rawMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}

/** Where to look when a connection cannot be made (no secrets). */
function describe(o: SparkConnectOptions): string {
  const path = o.transport === 'http' ? `/${(o.httpPath ?? 'cliservice').replace(/^\//, '')}` : '';
  return `${o.transport === 'http' ? (o.tls === true ? 'https' : 'http') : 'thrift'}://${o.host}:${o.port}${path}`;
}

function connectionError(o: SparkConnectOptions, err: unknown): MdlError {
  const code = (err as { code?: unknown } | null)?.code;
  const why = typeof code === 'string' ? code : rawMessage(err).split('\n')[0];
  return new MdlError(
    'E_CONNECTION',
    `cannot connect to the Spark Thrift Server at ${describe(o)}${o.targetName === undefined ? '' : ` (target '${o.targetName}')`}: ${why}`,
    {
      hint: 'start a local server with `scripts/services/spark.sh start`, or check host, port, transport and auth in configs/targets.yml (a NOSASL client waits forever on a SASL server and vice versa)',
    },
  );
}

/**
 * One HiveServer2 session on a Spark Thrift Server (hive-driver). Statements run asynchronously
 * on the server and are polled, so {@link cancel} and an AbortSignal can stop them.
 */
export class SparkConnection implements Connection {
  readonly kind = 'spark' as const;
  private readonly running = new Set<Operation>();
  /** Operations stopped by cancel() or an abort: their errors become E_CANCELLED. */
  private readonly cancelled = new Set<Operation>();
  private closed = false;
  private broken: MdlError | undefined;

  private constructor(
    private readonly client: hive.HiveClient,
    private readonly session: Session,
    private readonly options: SparkConnectOptions,
  ) {
    // A dropped socket surfaces as an 'error' event; remember it instead of crashing the process.
    client.on('error', (err: unknown) => {
      this.broken = connectionError(options, err);
    });
  }

  /** Connects, authenticates and opens a session. Errors → E_CONNECTION. */
  static async open(o: SparkConnectOptions): Promise<SparkConnection> {
    const client = new hive.HiveClient(TCLIService, T);
    let fail: (err: unknown) => void = () => undefined;
    // hive-driver reports a refused/dropped socket only as an 'error' event: fail fast on it.
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    client.on('error', (err: unknown) => fail(err));
    const timeout = o.connectTimeoutMs ?? 15_000;
    const connectionOptions = {
      connect_timeout: timeout,
      max_attempts: 1,
      ...(o.tls === true ? { ssl: true, https: true } : {}),
      ...(o.transport === 'http'
        ? { path: `/${(o.httpPath ?? 'cliservice').replace(/^\//, '')}` }
        : {}),
    };
    const auth = authFor(o);
    const conn =
      o.transport === 'http'
        ? new hive.connections.HttpConnection()
        : new hive.connections.TcpConnection();
    let timer: NodeJS.Timeout | undefined;
    try {
      const session = await Promise.race([
        (async () => {
          await client.connect(
            { host: o.host, port: o.port, options: connectionOptions },
            conn,
            auth,
          );
          const opened: unknown = await client.openSession({
            client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V8,
            ...(o.sessionConf === undefined ? {} : { configuration: { ...o.sessionConf } }),
          });
          return opened as Session;
        })(),
        failed,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms`)), timeout);
        }),
      ]);
      return new SparkConnection(client, session, o);
    } catch (err) {
      client.close();
      throw connectionError(o, err);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** Creates the session temp views that seed SELECTs read (see dialects/spark-csv.ts). */
  private async prepareCsvViews(sql: string, opts: QueryOptions | undefined): Promise<void> {
    const q = (n: string): string => `\`${n.replaceAll('`', '``')}\``;
    const lit = (v: string): string => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
    for (const d of extractCsvDirectives(sql)) {
      const st = csvViewStatements(d, q, lit);
      await this.rows(st.inferred, opts, false);
      await this.rows(st.text, opts, false);
      const described = await this.rows(
        `DESCRIBE QUERY SELECT * FROM ${q(st.inferredView)}`,
        opts,
        false,
      );
      const columns = described.map((r) => ({
        name: String(r.col_name),
        type: String(r.data_type),
      }));
      await this.rows(st.typed(columns), opts, false);
    }
  }

  /**
   * Runs one statement and fetches all its rows. The operation stays registered for cancel() /
   * AbortSignal until the last row is fetched (a server with `incrementalCollect` runs the job
   * during the fetch).
   */
  private async rows(sql: string, opts: QueryOptions | undefined, prepare = true): Promise<Row[]> {
    if (this.closed) throw new MdlError('E_INTERNAL', 'Spark connection used after close');
    if (this.broken !== undefined) throw this.broken;
    if (prepare) await this.prepareCsvViews(sql, opts);
    const signal = opts?.signal;
    if (signal?.aborted === true) throw new MdlError('E_CANCELLED', 'statement cancelled');
    let op: Operation;
    try {
      op = await this.session.executeStatement(sql, { runAsync: true });
    } catch (err) {
      throw this.mapError(err);
    }
    this.running.add(op);
    this.cancelled.delete(op);
    const onAbort = (): void => {
      this.cancelled.add(op);
      op.cancel().catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // Poll with a short backoff: most mdl statements finish in well under a second.
      for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
        const st = await op.status(false);
        const state = st.operationState;
        if (state === STATE.FINISHED_STATE) break;
        if (
          state === STATE.CANCELED_STATE ||
          state === STATE.CLOSED_STATE ||
          this.cancelled.has(op)
        ) {
          throw new MdlError('E_CANCELLED', 'statement cancelled');
        }
        if (
          state === STATE.ERROR_STATE ||
          state === STATE.TIMEDOUT_STATE ||
          state === STATE.UKNOWN_STATE
        ) {
          throw sparkErrorToMdl(st.errorMessage ?? 'statement failed', { engine: 'Spark' });
        }
        await sleep(delay);
      }
      op.setMaxRows(FETCH_SIZE);
      do {
        await op.fetch();
        if (this.cancelled.has(op)) throw new MdlError('E_CANCELLED', 'statement cancelled');
      } while (op.hasMoreRows());
      return decodeRowSets(op.getSchema()?.columns ?? [], op.getData(), TYPE_IDS);
    } catch (err) {
      throw this.cancelled.has(op)
        ? new MdlError('E_CANCELLED', 'statement cancelled')
        : this.mapError(err);
    } finally {
      this.running.delete(op);
      this.cancelled.delete(op);
      signal?.removeEventListener('abort', onAbort);
      await op.close().catch(() => undefined);
    }
  }

  private mapError(err: unknown): MdlError {
    if (err instanceof MdlError) return err;
    if (this.broken !== undefined) return this.broken;
    return sparkErrorToMdl(rawMessage(err), { engine: 'Spark' });
  }

  /**
   * Runs DDL/DML. MERGE/UPDATE/DELETE on Delta return `num_affected_rows`; CTAS and INSERT return
   * nothing, so their count is read from the Delta commit they made (`DESCRIBE HISTORY`).
   */
  async execute(sql: string, opts?: QueryOptions): Promise<ExecuteResult> {
    const rows = await this.rows(sql, opts);
    const n = rows.length === 1 ? rows[0]?.num_affected_rows : undefined;
    if (typeof n === 'bigint' || typeof n === 'number') return { rowsAffected: Number(n) };
    const written = this.options.rowCounts === false ? undefined : writtenRelation(sql);
    // mdl's own temporary relations (`…__mdl_…`) never report counts: skip the extra statement.
    if (written === undefined || written.includes('__mdl_')) return {};
    try {
      const hist = await this.query(`DESCRIBE HISTORY ${written} LIMIT 1`, opts);
      const metrics = hist[0]?.operationMetrics as Record<string, unknown> | null | undefined;
      const out = metrics?.numOutputRows;
      return out === undefined || out === null ? {} : { rowsAffected: Number(out) };
    } catch {
      return {}; // not a Delta table (e.g. a view): no count, not an error
    }
  }

  async query(sql: string, opts?: QueryOptions): Promise<readonly Row[]> {
    return this.rows(sql, opts);
  }

  async cancel(): Promise<void> {
    for (const op of this.running) this.cancelled.add(op);
    await Promise.all([...this.running].map((op) => op.cancel().catch(() => undefined)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cancel();
    await this.session.close().catch(() => undefined);
    this.client.close();
  }
}

type HiveAuth = NonNullable<Parameters<hive.HiveClient['connect']>[2]>;

function authFor(o: SparkConnectOptions): HiveAuth {
  switch (o.auth) {
    case 'NOSASL':
      return new hive.auth.NoSaslAuthentication();
    case 'PLAIN':
    case 'NONE': {
      const creds = {
        username: o.user ?? 'anonymous',
        password: o.auth === 'NONE' ? (o.password ?? 'anonymous') : (o.password ?? ''),
      };
      return o.transport === 'http'
        ? new hive.auth.PlainHttpAuthentication(creds)
        : new hive.auth.PlainTcpAuthentication(creds);
    }
  }
}

/** Opens one Spark Thrift Server session as a {@link Connection}. */
export function openSpark(o: SparkConnectOptions): Promise<Connection> {
  return SparkConnection.open(o);
}

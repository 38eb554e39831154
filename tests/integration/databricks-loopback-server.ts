import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { selfSignedCert } from '../helpers/self-signed-cert.js';

// A loopback HTTPS server that speaks the Databricks SQL Thrift protocol (TCLIService over
// Thrift/HTTP, binary protocol) using the TCLIService definitions shipped in @databricks/sql and
// the `thrift` runtime it depends on. Enough of a warehouse for connect/execute/fetch/close:
// canned result sets, error statuses, 503s during "warehouse start", and an OAuth token endpoint.
const require = createRequire(import.meta.url);
const thrift = require('thrift');
const TCLIService = require('@databricks/sql/thrift/TCLIService.js');
const T = require('@databricks/sql/thrift/TCLIService_types.js');
const Int64 = require('node-int64');

/** A canned result: column name → type → values (null allowed). */
export interface CannedResult {
  readonly columns: readonly {
    readonly name: string;
    readonly type: 'string' | 'bigint' | 'int' | 'boolean' | 'decimal' | 'timestamp';
    readonly values: readonly unknown[];
  }[];
}

/** What the server saw, for assertions (no secrets are kept beyond what tests put in). */
export interface LoopbackLog {
  readonly authHeaders: string[];
  readonly userAgents: string[];
  readonly statements: string[];
  readonly sessions: { catalog?: string; schema?: string; configuration: Record<string, string> }[];
  readonly tokenRequests: { authorization: string; body: string }[];
  thriftRequests: number;
  rejected503: number;
  closedOperations: number;
  closedSessions: number;
  cancelledOperations: number;
}

export interface LoopbackOptions {
  /** Accepted bearer tokens. */
  readonly tokens: readonly string[];
  /** Answer this many Thrift requests with 503 first (a warehouse that is starting). */
  readonly unavailableFirst?: number;
  /** OAuth M2M: client id/secret accepted by POST /oidc/v1/token, and the token it issues. */
  readonly oauthClient?: { readonly id: string; readonly secret: string; readonly issues: string };
  /** Statement → result (exact text) or error message. */
  readonly results: (sql: string) => CannedResult | { readonly error: string } | undefined;
}

export interface LoopbackServer {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly caCert: string;
  readonly log: LoopbackLog;
  close(): Promise<void>;
}

const ok = () => new T.TStatus({ statusCode: T.TStatusCode.SUCCESS_STATUS });
// The driver renders handle guids as UUIDs, so they must be valid ones.
const handleId = (_n: number) =>
  new T.THandleIdentifier({
    guid: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
    secret: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
  });

function typeId(t: CannedResult['columns'][number]['type']): number {
  switch (t) {
    case 'string':
      return T.TTypeId.STRING_TYPE;
    case 'bigint':
      return T.TTypeId.BIGINT_TYPE;
    case 'int':
      return T.TTypeId.INT_TYPE;
    case 'boolean':
      return T.TTypeId.BOOLEAN_TYPE;
    case 'decimal':
      return T.TTypeId.DECIMAL_TYPE;
    case 'timestamp':
      return T.TTypeId.TIMESTAMP_TYPE;
  }
}

function nullsBitmap(values: readonly unknown[]): Buffer {
  const b = Buffer.alloc(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) b[Math.floor(i / 8)]! |= 1 << (i % 8);
  });
  return b;
}

function column(c: CannedResult['columns'][number]): unknown {
  const nulls = nullsBitmap(c.values);
  switch (c.type) {
    case 'bigint':
      return new T.TColumn({
        i64Val: new T.TI64Column({
          values: c.values.map((v) => new Int64(v === null ? 0 : Number(v))),
          nulls,
        }),
      });
    case 'int':
      return new T.TColumn({
        i32Val: new T.TI32Column({
          values: c.values.map((v) => (v === null ? 0 : Number(v))),
          nulls,
        }),
      });
    case 'boolean':
      return new T.TColumn({
        boolVal: new T.TBoolColumn({ values: c.values.map((v) => v === true), nulls }),
      });
    default:
      return new T.TColumn({
        stringVal: new T.TStringColumn({
          values: c.values.map((v) =>
            typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v),
          ),
          nulls,
        }),
      });
  }
}

/** Starts the server on 127.0.0.1 (random port). */
export async function startLoopbackWarehouse(opts: LoopbackOptions): Promise<LoopbackServer> {
  const tls = selfSignedCert();
  const warehousePath = '/sql/1.0/warehouses/loopback';
  const log: LoopbackLog = {
    authHeaders: [],
    userAgents: [],
    statements: [],
    sessions: [],
    tokenRequests: [],
    thriftRequests: 0,
    rejected503: 0,
    closedOperations: 0,
    closedSessions: 0,
    cancelledOperations: 0,
  };
  let nextId = 1;
  const ops = new Map<string, { result?: CannedResult; error?: string; polled: number }>();
  const key = (h: { operationId: { guid: Buffer } }) => h.operationId.guid.toString('hex');

  // Every method takes exactly one argument: thrift then treats its return value as the result.
  const handler = {
    OpenSession(req: {
      initialNamespace?: { catalogName?: string; schemaName?: string };
      configuration?: Record<string, string>;
    }) {
      log.sessions.push({
        ...(req.initialNamespace?.catalogName ? { catalog: req.initialNamespace.catalogName } : {}),
        ...(req.initialNamespace?.schemaName ? { schema: req.initialNamespace.schemaName } : {}),
        configuration: { ...(req.configuration ?? {}) },
      });
      return new T.TOpenSessionResp({
        status: ok(),
        serverProtocolVersion: T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8,
        sessionHandle: new T.TSessionHandle({ sessionId: handleId(nextId++) }),
        configuration: {},
      });
    },
    CloseSession(_req: unknown) {
      log.closedSessions += 1;
      return new T.TCloseSessionResp({ status: ok() });
    },
    ExecuteStatement(req: { statement: string }) {
      log.statements.push(req.statement);
      const id = nextId++;
      const answer = opts.results(req.statement);
      const entry =
        answer === undefined
          ? {
              error: `[PARSE_SYNTAX_ERROR] loopback warehouse has no answer for this statement`,
              polled: 0,
            }
          : 'error' in answer
            ? { error: answer.error, polled: 0 }
            : { result: answer, polled: 0 };
      const operationId = handleId(id);
      ops.set(operationId.guid.toString('hex'), entry);
      return new T.TExecuteStatementResp({
        status: ok(),
        operationHandle: new T.TOperationHandle({
          operationId,
          operationType: T.TOperationType.EXECUTE_STATEMENT,
          hasResultSet: true,
        }),
      });
    },
    GetOperationStatus(req: { operationHandle: { operationId: { guid: Buffer } } }) {
      const op = ops.get(key(req.operationHandle));
      if (op === undefined)
        return new T.TGetOperationStatusResp({
          status: ok(),
          operationState: T.TOperationState.CLOSED_STATE,
        });
      op.polled += 1;
      // First poll: still running, so the client's polling loop is exercised.
      if (op.polled === 1)
        return new T.TGetOperationStatusResp({
          status: ok(),
          operationState: T.TOperationState.RUNNING_STATE,
        });
      if (op.error !== undefined) {
        return new T.TGetOperationStatusResp({
          status: ok(),
          operationState: T.TOperationState.ERROR_STATE,
          errorMessage: op.error,
          sqlState: '42000',
        });
      }
      return new T.TGetOperationStatusResp({
        status: ok(),
        operationState: T.TOperationState.FINISHED_STATE,
        hasResultSet: true,
      });
    },
    GetResultSetMetadata(req: { operationHandle: { operationId: { guid: Buffer } } }) {
      const op = ops.get(key(req.operationHandle));
      const cols = op?.result?.columns ?? [];
      return new T.TGetResultSetMetadataResp({
        status: ok(),
        resultFormat: T.TSparkRowSetType.COLUMN_BASED_SET,
        schema: new T.TTableSchema({
          columns: cols.map(
            (c, i) =>
              new T.TColumnDesc({
                columnName: c.name,
                position: i + 1,
                typeDesc: new T.TTypeDesc({
                  types: [
                    new T.TTypeEntry({
                      primitiveEntry: new T.TPrimitiveTypeEntry({ type: typeId(c.type) }),
                    }),
                  ],
                }),
              }),
          ),
        }),
      });
    },
    FetchResults(req: { operationHandle: { operationId: { guid: Buffer } } }) {
      const op = ops.get(key(req.operationHandle));
      const cols = op?.result?.columns ?? [];
      // Everything in the first fetch; later fetches return an empty row set.
      const first = op !== undefined && op.polled >= 0 && !(op as { fetched?: boolean }).fetched;
      if (op !== undefined) (op as { fetched?: boolean }).fetched = true;
      return new T.TFetchResultsResp({
        status: ok(),
        hasMoreRows: false,
        results: new T.TRowSet({
          startRowOffset: new Int64(0),
          rows: [],
          columns: first ? cols.map(column) : cols.map((c) => column({ ...c, values: [] })),
        }),
      });
    },
    CancelOperation(_req: unknown) {
      log.cancelledOperations += 1;
      return new T.TCancelOperationResp({ status: ok() });
    },
    CloseOperation(_req: unknown) {
      log.closedOperations += 1;
      return new T.TCloseOperationResp({ status: ok() });
    },
  };
  const processor = new TCLIService.Processor(handler);
  let unavailable = opts.unavailableFirst ?? 0;

  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      if (url === '/oidc/v1/token' && req.method === 'POST') {
        const authorization = String(req.headers.authorization ?? '');
        log.tokenRequests.push({ authorization, body: body.toString('utf8') });
        const c = opts.oauthClient;
        const expected =
          c === undefined ? '' : `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;
        if (c === undefined || authorization !== expected) {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end('{"error":"invalid_client"}');
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: c.issues, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      if (url.split('?')[0] !== warehousePath) {
        res.writeHead(404).end();
        return;
      }
      log.thriftRequests += 1;
      if (unavailable > 0) {
        unavailable -= 1;
        log.rejected503 += 1;
        res
          .writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' })
          .end('warehouse is starting');
        return;
      }
      const auth = String(req.headers.authorization ?? '');
      log.authHeaders.push(auth);
      log.userAgents.push(String(req.headers['user-agent'] ?? ''));
      if (!opts.tokens.some((t) => auth === `Bearer ${t}`)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('invalid access token');
        return;
      }
      const output = new thrift.TBufferedTransport(undefined, (buf: Buffer) => {
        res.writeHead(200, { 'content-type': 'application/x-thrift' }).end(buf);
      });
      thrift.TBufferedTransport.receiver((transport: unknown) => {
        processor.process(
          new thrift.TBinaryProtocol(transport),
          new thrift.TBinaryProtocol(output),
        );
      })(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    path: warehousePath,
    caCert: tls.cert,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

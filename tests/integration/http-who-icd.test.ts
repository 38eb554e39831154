/**
 * WHO ICD API client against a loopback server: OAuth2 client-credentials token, the ICD-10
 * release tree (root → chapter → block → categories), token refresh on 401, throttling.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { parseIcdOrderFile } from '../../runner/ingest/icd-order-file.js';
import { WhoIcdClient } from '../../runner/ingest/who-icd-client.js';

const TREE: Record<string, object> = {
  '/icd/release/10/2019': {
    title: { '@value': 'ICD-10' },
    child: ['http://id.who.int/icd/release/10/2019/I'],
  },
  '/icd/release/10/2019/I': {
    code: 'I',
    classKind: 'chapter',
    title: { '@value': 'Certain infectious diseases' },
    child: ['http://id.who.int/icd/release/10/2019/A00-A09'],
  },
  '/icd/release/10/2019/A00-A09': {
    code: 'A00-A09',
    classKind: 'block',
    child: ['http://id.who.int/icd/release/10/2019/A00'],
  },
  '/icd/release/10/2019/A00': {
    code: 'A00',
    classKind: 'category',
    title: { '@value': 'Cholera' },
    child: [
      'http://id.who.int/icd/release/10/2019/A00.0',
      'http://id.who.int/icd/release/10/2019/A00.1',
    ],
  },
  '/icd/release/10/2019/A00.0': {
    code: 'A00.0',
    classKind: 'category',
    title: { '@value': 'Cholera due to Vibrio cholerae 01, biovar cholerae' },
  },
  '/icd/release/10/2019/A00.1': {
    code: 'A00.1',
    classKind: 'category',
    title: { '@value': 'Cholera due to Vibrio cholerae 01, biovar eltor' },
  },
};

let server: http.Server;
let base: string;
let tokensIssued = 0;
let validToken = '';
let throttleNext = 0;
let apiCalls = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/connect/token') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const f = new URLSearchParams(body);
        if (
          f.get('grant_type') !== 'client_credentials' ||
          f.get('client_id') !== 'id-1' ||
          f.get('client_secret') !== 's3cret' ||
          f.get('scope') !== 'icdapi_access'
        ) {
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'invalid_client' }));
          return;
        }
        tokensIssued++;
        validToken = `tok-${tokensIssued}`;
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            access_token: validToken,
            expires_in: 3600,
            token_type: 'Bearer',
            scope: 'icdapi_access',
          }),
        );
      });
      return;
    }
    apiCalls++;
    if (throttleNext > 0) {
      throttleNext--;
      res.writeHead(429, { 'retry-after': '0' }).end();
      return;
    }
    if (
      req.headers.authorization !== `Bearer ${validToken}` ||
      req.headers['api-version'] !== 'v2'
    ) {
      res.writeHead(401).end();
      return;
    }
    const node = TREE[u.pathname];
    if (node === undefined) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ '@id': `http://id.who.int${u.pathname}`, ...node }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  tokensIssued = 0;
  validToken = '';
  throttleNext = 0;
  apiCalls = 0;
});

const client = (secret = 's3cret') =>
  new WhoIcdClient({
    clientId: 'id-1',
    clientSecret: secret,
    tokenUrl: `${base}connect/token`,
    apiBaseUrl: base,
    requestsPerSecond: 0,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 3 },
  });

describe('WhoIcdClient', () => {
  it('walks the release tree with a client-credentials token, in tree order', async () => {
    const rows = [];
    for await (const r of client().codes()) rows.push(r);
    expect(rows.map((r) => [r.icd_code, r.code_description, r.is_billable])).toEqual([
      ['A00', 'Cholera', false],
      ['A000', 'Cholera due to Vibrio cholerae 01, biovar cholerae', true],
      ['A001', 'Cholera due to Vibrio cholerae 01, biovar eltor', true],
    ]);
    expect(tokensIssued).toBe(1);
  });

  it('refreshes the token once on 401 and retries throttled calls', async () => {
    const c = client();
    await c.entity('icd/release/10/2019/A00');
    validToken = 'revoked-on-server';
    throttleNext = 2;
    const e = await c.entity('icd/release/10/2019/A00.0');
    expect(e.code).toBe('A00.0');
    expect(tokensIssued).toBe(2);
  });

  it('fails with E_HTTP (no secret in the message) for bad credentials', async () => {
    const err = await client('wrong')
      .entity('icd/release/10/2019/A00')
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(MdlError);
    expect((err as MdlError).code).toBe('E_HTTP');
    expect((err as MdlError).message).not.toContain('wrong');
    expect(apiCalls).toBe(0);
  });
});

describe('CMS ICD-10-CM order file', () => {
  it('parses fixed-width records and rejects a malformed line with its number', () => {
    const text = [
      '00001 A00     0 Cholera                                                      Cholera',
      '00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae           Cholera due to Vibrio cholerae 01, biovar cholerae',
    ].join('\n');
    expect(parseIcdOrderFile(text, 'f.txt')).toEqual([
      {
        icd_code: 'A00',
        icd_code_type: 'ICD-10-CM',
        code_description: 'Cholera',
        is_billable: false,
      },
      {
        icd_code: 'A000',
        icd_code_type: 'ICD-10-CM',
        code_description: 'Cholera due to Vibrio cholerae 01, biovar cholerae',
        is_billable: true,
      },
    ]);
    expect(() => parseIcdOrderFile(`${text}\nnot a record`, 'f.txt')).toThrow(
      expect.objectContaining({ line: 3 }) as Error,
    );
  });
});

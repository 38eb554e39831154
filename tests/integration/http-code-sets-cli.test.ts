/**
 * `mdl ingest --npi-state … --icd-who-release …` end to end against one loopback server that
 * speaks the NPPES v2.1 and WHO ICD API formats: the API results land in the landing zone and
 * flow into bronze like any landed file. Nothing contacts the internet.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../runner/cli/command.js';
import { main } from '../../runner/cli/main.js';

let server: http.Server;
let base: string;
let dir: string;
const seenQueries: string[] = [];

const ICD: Record<string, object> = {
  '/icd/release/10/2019': { child: ['http://id.who.int/icd/release/10/2019/A00'] },
  '/icd/release/10/2019/A00': {
    code: 'A00',
    classKind: 'category',
    title: { '@value': 'Cholera' },
    child: [],
  },
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/nppes/') {
      seenQueries.push(u.search);
      const skip = Number(u.searchParams.get('skip'));
      const results =
        skip === 0
          ? [
              {
                number: '3000000001',
                enumeration_type: 'NPI-1',
                basic: { first_name: 'ANA', last_name: 'LIMA', last_updated: '2024-02-01' },
              },
              {
                number: '1000000004',
                enumeration_type: 'NPI-2',
                basic: {
                  organization_name: 'CLINIC',
                  authorized_official_first_name: 'BO',
                  authorized_official_last_name: 'YU',
                  authorized_official_title_or_position: 'CFO',
                },
              },
            ]
          : [];
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ result_count: results.length, results }));
      return;
    }
    if (u.pathname === '/token') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const ok = new URLSearchParams(body).get('client_secret') === 'who-s3cret';
        res
          .writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
          .end(
            JSON.stringify(
              ok ? { access_token: 't', expires_in: 3600 } : { error: 'invalid_client' },
            ),
          );
      });
      return;
    }
    const node = ICD[u.pathname];
    if (req.headers.authorization !== 'Bearer t' || node === undefined) {
      res.writeHead(node === undefined ? 404 : 401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(node));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-codesets-'));
  fs.mkdirSync(path.join(dir, 'configs'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'project.yml'), 'name: codesets\nversion: "1"\n');
  fs.writeFileSync(
    path.join(dir, 'configs', 'targets.yml'),
    'default: dev\ntargets:\n  dev:\n    type: duckdb\n    path: data/warehouse/mdl_dev.duckdb\n    schema: main\n    threads: 1\n',
  );
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = async (
  args: string[],
  secret: string,
): Promise<{ code: number; out: string; err: string }> => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTty: false,
    cwd: dir,
    env: {
      MDL_NPPES_BASE_URL: `${base}/nppes/`,
      MDL_WHO_ICD_TOKEN_URL: `${base}/token`,
      MDL_WHO_ICD_API_URL: `${base}/`,
      MDL_SECRET_WHO_ICD_CLIENT_ID: 'who-id',
      MDL_SECRET_WHO_ICD_CLIENT_SECRET: secret,
    },
  };
  const code = await main(['ingest', '--landing-only', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
};

const bronze = async (glob: string, select: string): Promise<Record<string, unknown>[]> => {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    return (
      await c.runAndReadAll(
        `SELECT ${select} FROM read_parquet('${path.join(dir, 'data/bronze', glob)}') ORDER BY 1`,
      )
    ).getRowObjectsJS();
  } finally {
    c.closeSync();
    inst.closeSync();
  }
};

describe('mdl ingest code-set APIs', () => {
  it('fetches NPPES and WHO ICD results into landing, then bronze', async () => {
    const r = await run(
      ['--npi-state', 'CA', '--npi-taxonomy', 'Family Medicine', '--icd-who-release', '2019'],
      'who-s3cret',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(seenQueries[0]).toContain('state=CA');
    expect(seenQueries[0]).toContain('taxonomy_description=Family+Medicine');
    expect(
      await bronze('npi/npi_providers/load_id=*/*.parquet', 'npi, first_name, position'),
    ).toEqual([
      { npi: 1000000004n, first_name: 'BO', position: 'CFO' },
      { npi: 3000000001n, first_name: 'ANA', position: null },
    ]);
    expect(
      await bronze(
        'icd/icd_codes/load_id=*/*.parquet',
        'icd_code, icd_code_type, code_description',
      ),
    ).toEqual([{ icd_code: 'A00', icd_code_type: 'ICD-10', code_description: 'Cholera' }]);
    expect(fs.readdirSync(path.join(dir, 'data/landing/archive/npi'))[0]).toMatch(
      /^npi_ca_family-medicine_\d{8}T\d{6}\.json$/,
    );
  });

  it('fails with E_HTTP and never prints the client secret when the credentials are rejected', async () => {
    const r = await run(['--icd-who-release', '2019'], 'wrong-secret-value');
    expect(r.code).toBe(1);
    expect(r.err).toContain('E_HTTP');
    expect(r.err + r.out).not.toContain('wrong-secret-value');
    expect(
      fs.existsSync(path.join(dir, 'data/landing/icd'))
        ? fs.readdirSync(path.join(dir, 'data/landing/icd'))
        : [],
    ).toEqual([]);
  });
});

/**
 * NPPES NPI Registry API v2.1 client against a loopback HTTP server serving the real response
 * shape: limit/skip paging, the API's `Errors` documents, 429 with Retry-After and 5xx.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { RateLimiter, retryAfterMs } from '../../runner/ingest/http-retry.js';
import { NppesClient } from '../../runner/ingest/nppes-client.js';
import { npiRowsOfResponse } from '../../runner/ingest/npi-records.js';

const TOTAL = 450;
const all = Array.from({ length: TOTAL }, (_, i) => ({
  number: String(2_000_000_000 + i * 7),
  enumeration_type: 'NPI-1',
  basic: { first_name: `F${i}`, last_name: 'L', last_updated: '2024-01-01' },
}));

let server: http.Server;
let base: string;
let requests: { path: string; at: number }[] = [];
let failPlan: number[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: u.pathname + u.search, at: Date.now() });
    const planned = failPlan.shift();
    if (planned === 429) {
      res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      return;
    }
    if (planned !== undefined && planned >= 500) {
      res.writeHead(planned).end('oops');
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (u.searchParams.get('version') !== '2.1') {
      res.end(
        JSON.stringify({
          Errors: [{ description: 'version is required', field: 'version', number: '04' }],
        }),
      );
      return;
    }
    if (u.searchParams.get('state') === 'XX') {
      res.end(
        JSON.stringify({
          Errors: [{ description: 'Invalid state', field: 'state', number: '05' }],
        }),
      );
      return;
    }
    const limit = Number(u.searchParams.get('limit'));
    const skip = Number(u.searchParams.get('skip'));
    if (limit > 200 || skip > 1000) {
      res.end(
        JSON.stringify({
          Errors: [{ description: 'limit/skip out of range', field: 'limit', number: '06' }],
        }),
      );
      return;
    }
    const results = all.slice(skip, skip + limit);
    res.end(JSON.stringify({ result_count: results.length, results }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  requests = [];
  failPlan = [];
});

const fastRetry = { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 3 };

describe('NppesClient', () => {
  it('pages with limit 200 and skip until a short page', async () => {
    const doc = await new NppesClient({
      baseUrl: base,
      requestsPerSecond: 0,
      retry: fastRetry,
    }).search({ state: 'CA', taxonomyDescription: 'Cardiology' });
    expect(doc.result_count).toBe(TOTAL);
    expect(requests.map((r) => new URL(r.path, 'http://x').searchParams.get('skip'))).toEqual([
      '0',
      '200',
      '400',
    ]);
    expect(
      new URL(requests[0]?.path ?? '', 'http://x').searchParams.get('taxonomy_description'),
    ).toBe('Cardiology');
    const rows = npiRowsOfResponse(doc);
    expect(rows[449]?.npi).toBe(String(2_000_000_000 + 449 * 7));
  });

  it('retries 429 (honouring Retry-After) and 5xx, then succeeds', async () => {
    failPlan = [429, 503, 500];
    const doc = await new NppesClient({
      baseUrl: base,
      requestsPerSecond: 0,
      retry: fastRetry,
    }).search({ city: 'Boston' });
    expect(doc.result_count).toBe(TOTAL);
    expect(requests).toHaveLength(6);
  });

  it('gives up with E_HTTP after the retries are exhausted', async () => {
    failPlan = [503, 503, 503, 503, 503];
    const err = await new NppesClient({ baseUrl: base, requestsPerSecond: 0, retry: fastRetry })
      .search({ state: 'CA' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MdlError);
    expect((err as MdlError).code).toBe('E_HTTP');
    expect((err as MdlError).message).toContain('HTTP 503 after 4 attempts');
    expect((err as MdlError).message).not.toContain('state=');
  });

  it("surfaces the API's own Errors document", async () => {
    const err = await new NppesClient({ baseUrl: base, requestsPerSecond: 0 })
      .search({ state: 'XX' })
      .catch((e: unknown) => e);
    expect((err as MdlError).message).toContain('Invalid state');
  });

  it('rejects a search without criteria before any request', async () => {
    await expect(
      new NppesClient({ baseUrl: base }).search({ enumerationType: 'NPI-1' }),
    ).rejects.toThrow(/needs state/);
    expect(requests).toHaveLength(0);
  });

  it('rate-limits requests', async () => {
    // measured where the limiter acts (the client's fetch calls), not at the busy server
    const calls: number[] = [];
    const timedFetch: typeof fetch = (u, i) => {
      calls.push(performance.now());
      return fetch(u, i);
    };
    const started = performance.now();
    await new NppesClient({
      baseUrl: base,
      requestsPerSecond: 20,
      retry: { ...fastRetry, fetch: timedFetch },
    }).search({ state: 'CA' });
    expect(calls).toHaveLength(3);
    // the third request cannot start before two 50 ms slots have passed (a lower bound that
    // scheduling noise cannot break; exact spacing is unit-tested with a fake clock below)
    expect((calls[2] ?? 0) - started).toBeGreaterThanOrEqual(99);
  });
});

describe('retry helpers', () => {
  it('parses Retry-After seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('RateLimiter spaces calls by 1/rate', async () => {
    let now = 0;
    const slept: number[] = [];
    const rl = new RateLimiter(
      4,
      () => now,
      (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    );
    await rl.take();
    await rl.take();
    await rl.take();
    expect(slept).toEqual([250, 250]);
  });
});

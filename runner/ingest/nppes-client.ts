/**
 * Client of the NPPES NPI Registry API v2.1 (https://npiregistry.cms.hhs.gov/api/): search by
 * state / city / taxonomy, paged with `limit` (max 200) and `skip` (max 1000 per query), with
 * retries on 429/5xx and a request rate limit. The base URL is configurable so tests use a
 * loopback server; the API needs no credentials.
 */
import { MdlError } from '../errors/mdl-error.js';
import type { RetryOptions } from './http-retry.js';
import { DEFAULT_RETRY, RateLimiter, fetchWithRetry } from './http-retry.js';

export const NPPES_DEFAULT_BASE_URL = 'https://npiregistry.cms.hhs.gov/api/';

/** Search criteria (at least one besides paging, as the API requires). */
export interface NpiQuery {
  readonly state?: string;
  readonly city?: string;
  readonly taxonomyDescription?: string;
  readonly postalCode?: string;
  /** `NPI-1` individuals, `NPI-2` organisations. */
  readonly enumerationType?: 'NPI-1' | 'NPI-2';
}

export interface NppesClientOptions {
  readonly baseUrl?: string;
  /** Page size, 1..200. */
  readonly pageSize?: number;
  /** Requests per second. */
  readonly requestsPerSecond?: number;
  readonly retry?: Partial<RetryOptions>;
}

/** The API's largest `skip`. */
const MAX_SKIP = 1000;

export class NppesClient {
  private readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly retry: RetryOptions;

  constructor(opts: NppesClientOptions = {}) {
    this.baseUrl = opts.baseUrl ?? NPPES_DEFAULT_BASE_URL;
    this.pageSize = Math.min(200, Math.max(1, opts.pageSize ?? 200));
    this.retry = {
      ...DEFAULT_RETRY,
      limiter: new RateLimiter(opts.requestsPerSecond ?? 5),
      ...opts.retry,
    };
  }

  private url(q: NpiQuery, skip: number): string {
    const u = new URL(this.baseUrl);
    u.searchParams.set('version', '2.1');
    if (q.state !== undefined) u.searchParams.set('state', q.state);
    if (q.city !== undefined) u.searchParams.set('city', q.city);
    if (q.taxonomyDescription !== undefined)
      u.searchParams.set('taxonomy_description', q.taxonomyDescription);
    if (q.postalCode !== undefined) u.searchParams.set('postal_code', q.postalCode);
    if (q.enumerationType !== undefined) u.searchParams.set('enumeration_type', q.enumerationType);
    u.searchParams.set('limit', String(this.pageSize));
    u.searchParams.set('skip', String(skip));
    return u.toString();
  }

  /** Yields each page's `results` until a short page or the API's skip limit. */
  async *pages(q: NpiQuery): AsyncGenerator<readonly unknown[]> {
    if (
      q.state === undefined &&
      q.city === undefined &&
      q.taxonomyDescription === undefined &&
      q.postalCode === undefined
    )
      throw new MdlError('E_USAGE', 'an NPI search needs state, city, postal code or taxonomy', {
        hint: 'narrow the search: the registry rejects searches on paging or type alone',
      });
    for (let skip = 0; skip <= MAX_SKIP; skip += this.pageSize) {
      const res = await fetchWithRetry(
        this.url(q, skip),
        { headers: { accept: 'application/json' } },
        this.retry,
      );
      if (!res.ok)
        throw new MdlError('E_HTTP', `NPPES API: HTTP ${res.status}`, {
          hint: 'check the search criteria',
        });
      const doc = (await res.json()) as {
        results?: unknown[];
        Errors?: { description?: string }[];
      };
      if (Array.isArray(doc.Errors) && doc.Errors.length > 0)
        throw new MdlError(
          'E_HTTP',
          `NPPES API rejected the search: ${doc.Errors.map((e) => e.description ?? '?').join('; ')}`,
          {
            hint: 'fix the search criteria',
          },
        );
      const results = doc.results ?? [];
      if (results.length > 0) yield results;
      if (results.length < this.pageSize) return;
    }
  }

  /** All results of a query as one document in the API's own shape (what landing/npi holds). */
  async search(q: NpiQuery): Promise<{ result_count: number; results: unknown[] }> {
    const results: unknown[] = [];
    for await (const page of this.pages(q)) results.push(...page);
    return { result_count: results.length, results };
  }
}

/**
 * A loopback HTTPS server that answers like Azure Key Vault's `GET /secrets/{name}` (REST API
 * 7.4): 200 `{value, id, attributes}`, 401 with a Bearer challenge, 403 Forbidden, 404
 * SecretNotFound, and scripted 429 (Retry-After) / 503 answers. The TLS certificate is
 * self-signed and generated per server with openssl.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from '../helpers/self-signed-cert.js';

export interface FakeVaultOptions {
  /** Secret name → value. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The only bearer token accepted. */
  readonly token: string;
  /** Names the caller may not read (403). */
  readonly forbidden?: readonly string[];
  /** Per name, statuses answered first, in order (429 carries `Retry-After: <retryAfter>`). */
  readonly script?: Readonly<Record<string, readonly number[]>>;
  readonly retryAfter?: string;
}

export interface FakeVault {
  readonly url: string;
  readonly caCert: string;
  /** Every request: path, api-version and Authorization header. */
  readonly requests: { path: string; apiVersion: string | null; auth: string | undefined }[];
  close(): Promise<void>;
}

export const KV_TENANT_AUTHORITY = 'https://login.microsoftonline.com/00000000-kv-tenant';

/** Starts the fake vault on 127.0.0.1 (random port). */
export async function startFakeVault(opts: FakeVaultOptions): Promise<FakeVault> {
  const tls = selfSignedCert();
  const requests: FakeVault['requests'] = [];
  const script = new Map(Object.entries(opts.script ?? {}).map(([k, v]) => [k, [...v]]));
  let base = '';
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const auth = req.headers.authorization;
    requests.push({ path: url.pathname, apiVersion: url.searchParams.get('api-version'), auth });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const m = /^\/secrets\/([^/]+)\/?$/.exec(url.pathname);
    if (req.method !== 'GET' || m === null || url.searchParams.get('api-version') === null) {
      send(400, { error: { code: 'BadParameter', message: 'unsupported request' } });
      return;
    }
    if (auth !== `Bearer ${opts.token}`) {
      send(
        401,
        {
          error: {
            code: 'Unauthorized',
            message: 'AKV10000: Request is missing a Bearer or PoP token.',
          },
        },
        {
          'www-authenticate': `Bearer authorization="${KV_TENANT_AUTHORITY}", resource="https://vault.azure.net"`,
        },
      );
      return;
    }
    const name = decodeURIComponent(m[1] ?? '');
    const next = script.get(name)?.shift();
    if (next !== undefined) {
      send(
        next,
        {
          error: { code: next === 429 ? 'Throttled' : 'ServiceUnavailable', message: 'try later' },
        },
        next === 429 ? { 'retry-after': opts.retryAfter ?? '1' } : {},
      );
      return;
    }
    if (opts.forbidden?.includes(name) === true) {
      send(403, {
        error: {
          code: 'Forbidden',
          message: `The user, group or application does not have secrets get permission`,
          innererror: { code: 'AccessDenied' },
        },
      });
      return;
    }
    const value = opts.secrets[name];
    if (value === undefined) {
      send(404, {
        error: {
          code: 'SecretNotFound',
          message: `A secret with (name/id) ${name} was not found in this key vault.`,
        },
      });
      return;
    }
    send(200, {
      value,
      id: `${base}/secrets/${name}/0123456789abcdef0123456789abcdef`,
      attributes: { enabled: true, created: 1700000000, updated: 1700000000 },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `https://127.0.0.1:${port}`;
  return {
    url: base,
    caCert: tls.cert,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

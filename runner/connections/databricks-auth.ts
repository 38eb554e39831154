import https from 'node:https';
import { MdlError } from '../errors/mdl-error.js';

/** Azure Databricks' first-party application id: the resource Azure AD tokens are issued for. */
export const AZURE_DATABRICKS_SCOPE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default';

/** A bearer token source; cached tokens are refreshed shortly before they expire. */
export type TokenSource = () => Promise<string>;

/** Minimal shape of an `@azure/identity` TokenCredential (ClientSecretCredential, …). */
export interface AzureCredential {
  getToken(
    scopes: string | string[],
  ): Promise<{ readonly token: string; readonly expiresOnTimestamp: number } | null>;
}

/** Refresh this long before expiry, so a statement never starts with a token about to lapse. */
const REFRESH_MARGIN_MS = 120_000;

function cached(fetch: () => Promise<{ token: string; expiresAt: number }>): TokenSource {
  let current: { token: string; expiresAt: number } | undefined;
  let pending: Promise<{ token: string; expiresAt: number }> | undefined;
  return async () => {
    if (current !== undefined && current.expiresAt - REFRESH_MARGIN_MS > Date.now())
      return current.token;
    pending ??= fetch().finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current.token;
  };
}

/** Settings of the Databricks OAuth machine-to-machine (service principal) flow. */
export interface M2mOptions {
  readonly host: string;
  readonly port?: number;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Extra trusted CA (PEM), as for the SQL connection. */
  readonly caCert?: string | Buffer;
}

/**
 * OAuth M2M with a Databricks service principal: `POST https://<host>/oidc/v1/token` with
 * client_credentials and scope `all-apis` (the workspace token endpoint). Done here rather than
 * by the SDK's openid-client flow so that one code path works on every cloud and is testable.
 */
export function databricksM2mTokenSource(o: M2mOptions): TokenSource {
  return cached(
    () =>
      new Promise((resolve, reject) => {
        const body = new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'all-apis',
        }).toString();
        const basic = Buffer.from(
          `${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`,
        ).toString('base64');
        const req = https.request(
          {
            host: o.host,
            port: o.port ?? 443,
            path: '/oidc/v1/token',
            method: 'POST',
            headers: {
              authorization: `Basic ${basic}`,
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
            },
            ...(o.caCert === undefined ? {} : { ca: o.caCert }),
            timeout: 30_000,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              let json: { access_token?: unknown; expires_in?: unknown } = {};
              try {
                json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof json;
              } catch {
                // handled below
              }
              if (status !== 200 || typeof json.access_token !== 'string') {
                reject(
                  new MdlError(
                    'E_CONNECTION',
                    `OAuth token request to ${o.host} failed with HTTP ${status}`,
                    {
                      hint: 'check the service principal client id/secret (Key Vault) and that it has access to the workspace',
                    },
                  ),
                );
                return;
              }
              const ttl = typeof json.expires_in === 'number' ? json.expires_in : 3600;
              resolve({ token: json.access_token, expiresAt: Date.now() + ttl * 1000 });
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (err) =>
          reject(
            new MdlError(
              'E_CONNECTION',
              `OAuth token request to ${o.host} failed: ${err.message}`,
              {
                hint: 'check the workspace host in configs/targets.yml',
              },
            ),
          ),
        );
        req.end(body);
      }),
  );
}

/** Azure AD tokens for Azure Databricks from an `@azure/identity` credential. */
export function azureAdTokenSource(credential: AzureCredential): TokenSource {
  return cached(async () => {
    let t: Awaited<ReturnType<AzureCredential['getToken']>>;
    try {
      t = await credential.getToken(AZURE_DATABRICKS_SCOPE);
    } catch (err) {
      throw new MdlError(
        'E_CONNECTION',
        `Azure AD token request failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
        {
          hint: 'check tenant id, client id and client secret (Key Vault) of the service principal',
        },
      );
    }
    if (t === null) {
      throw new MdlError('E_CONNECTION', 'Azure AD returned no token for Azure Databricks', {
        hint: 'check that the service principal is added to the Databricks workspace',
      });
    }
    return { token: t.token, expiresAt: t.expiresOnTimestamp };
  });
}

/** A ClientSecretCredential for a service principal (imported lazily: only azure-ad targets need it). */
export async function azureClientSecretCredential(
  tenantId: string,
  clientId: string,
  clientSecret: string,
): Promise<AzureCredential> {
  const { ClientSecretCredential } = await import('@azure/identity');
  return new ClientSecretCredential(tenantId, clientId, clientSecret);
}

/**
 * `mdl ingest` as a library call: reads configs/emr/{load_config.csv,connections.yml} of a
 * project, opens the target warehouse for the audit tables, then loads the EMR tables and the
 * landing files into `<project>/data/bronze`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openAdapter } from '../adapters/open-adapter.js';
import { MdlError } from '../errors/mdl-error.js';
import type { Target } from '../project/types.js';
import { AuditLog } from './audit-log.js';
import type { EmrSourceConfig, SecretResolver } from './emr-connections.js';
import { connectionSecretNames, parseEmrConnections } from './emr-connections.js';
import { prefetchSecrets, sharedSecretProvider } from '../secrets/resolver.js';
import { createEnvSecretProvider, envSecretVariable } from '../secrets/env-provider.js';
import { runEmrIngest } from './emr-ingest.js';
import type { TableLoadResult } from './emr-load.js';
import { DEFAULT_LOAD_OPTIONS } from './emr-load.js';
import type { IngestListener } from './ingest-events.js';
import type { DatasourceFromFileName } from './landing-kinds.js';
import type { LandingFileResult } from './landing-ingest.js';
import { runLandingIngest } from './landing-ingest.js';
import { parseLoadConfig } from './load-config.js';
import { fetchIcdToLanding, fetchNpiToLanding } from './code-set-fetch.js';
import type { NpiQuery } from './nppes-client.js';
import { NppesClient } from './nppes-client.js';
import { WhoIcdClient } from './who-icd-client.js';

/** Project-relative locations `mdl ingest` uses (documented in docs/ingest.md). */
export const INGEST_PATHS = {
  loadConfig: 'configs/emr/load_config.csv',
  connections: 'configs/emr/connections.yml',
  bronze: 'data/bronze',
  landing: 'data/landing',
} as const;

export interface RunIngestOptions {
  /** Absolute project directory. */
  readonly projectDir: string;
  /** The warehouse target holding `audit.*`. */
  readonly target: Target;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Override for `secret('…')` lookups; by default they go through runner/secrets (the target's
   * targets.yml `secrets:` provider: env MDL_SECRET_<NAME>, or Azure Key Vault).
   */
  readonly secrets?: SecretResolver;
  readonly only?: readonly string[];
  readonly concurrency?: number;
  /** Which halves run (default both). */
  readonly emr?: boolean;
  readonly landing?: boolean;
  readonly keepFullLoads?: number;
  readonly overlapSeconds?: number;
  readonly rowsPerPart?: number;
  readonly batchSize?: number;
  readonly claimsDatasource?: DatasourceFromFileName;
  /** NPPES searches to run first; results land in landing/npi (base URL: MDL_NPPES_BASE_URL). */
  readonly npiQueries?: readonly NpiQuery[];
  /**
   * WHO ICD-10 release to fetch first into landing/icd, with secret('who-icd-client-id') and
   * secret('who-icd-client-secret') (URLs: MDL_WHO_ICD_TOKEN_URL, MDL_WHO_ICD_API_URL).
   */
  readonly icdWhoRelease?: string;
  readonly listener?: IngestListener;
}

/** Runs the requested code-set API fetches into the landing zone. */
async function fetchCodeSets(
  opts: RunIngestOptions,
  landingRoot: string,
  secrets: SecretResolver,
): Promise<void> {
  const listener = opts.listener ?? (() => undefined);
  const queries = opts.npiQueries ?? [];
  if (queries.length > 0) {
    const base = opts.env.MDL_NPPES_BASE_URL;
    const client = new NppesClient(base === undefined || base === '' ? {} : { baseUrl: base });
    for (const q of queries) {
      const { file, results } = await fetchNpiToLanding(landingRoot, client, q);
      await listener({
        type: 'committed',
        id: `api:nppes → ${path.relative(landingRoot, file)}`,
        rows: results,
        folder: file,
      });
    }
  }
  if (opts.icdWhoRelease !== undefined) {
    const need = (name: string): string => {
      const v = secrets(name);
      if (v === undefined)
        throw new MdlError('E_SECRET', `secret('${name}') is not set`, {
          hint: `provide it (locally: ${envSecretVariable(name)})`,
        });
      return v;
    };
    const tokenUrl = opts.env.MDL_WHO_ICD_TOKEN_URL;
    const apiBaseUrl = opts.env.MDL_WHO_ICD_API_URL;
    const client = new WhoIcdClient({
      clientId: need('who-icd-client-id'),
      clientSecret: need('who-icd-client-secret'),
      release: opts.icdWhoRelease,
      ...(tokenUrl === undefined || tokenUrl === '' ? {} : { tokenUrl }),
      ...(apiBaseUrl === undefined || apiBaseUrl === '' ? {} : { apiBaseUrl }),
    });
    const { file, codes } = await fetchIcdToLanding(landingRoot, client, opts.icdWhoRelease);
    await listener({
      type: 'committed',
      id: `api:who-icd → ${path.relative(landingRoot, file)}`,
      rows: codes,
      folder: file,
    });
  }
}

export interface IngestSummary {
  readonly tables: readonly TableLoadResult[];
  readonly files: readonly LandingFileResult[];
}

/** WHO ICD API credentials (used only with `icdWhoRelease`). */
const WHO_ICD_SECRETS = ['who-icd-client-id', 'who-icd-client-secret'];

/**
 * The run's secrets through the one resolver (runner/secrets): the secret() names this run can
 * need are resolved up front; a failure surfaces only where that secret is used.
 */
async function defaultSecrets(
  opts: RunIngestOptions,
  connections: Readonly<Record<string, EmrSourceConfig>>,
  landing: boolean,
): Promise<SecretResolver> {
  const cfg = opts.target.secrets;
  const provider =
    cfg === undefined || cfg.provider === 'env'
      ? createEnvSecretProvider(opts.env)
      : sharedSecretProvider(cfg);
  const names = [
    ...connectionSecretNames(connections),
    ...(landing && opts.icdWhoRelease !== undefined ? WHO_ICD_SECRETS : []),
  ];
  return prefetchSecrets(provider, names);
}

function readRel(projectDir: string, rel: string): string {
  const p = path.join(projectDir, rel);
  if (!fs.existsSync(p))
    throw new MdlError('E_FILE_NOT_FOUND', `${rel} not found`, {
      file: rel,
      hint: 'see docs/ingest.md for its format',
    });
  return fs.readFileSync(p, 'utf8');
}

/** Runs an ingest; load failures are in the summary (status failed/rejected), not thrown. */
export async function runIngest(opts: RunIngestOptions): Promise<IngestSummary> {
  const emr = opts.emr ?? true;
  const landing = opts.landing ?? true;
  const concurrency = opts.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new MdlError(
      'E_USAGE',
      `concurrency must be a whole number from 1 to 64 (got ${String(concurrency)})`,
    );
  // Validate every config BEFORE opening anything (a hostile row never reaches a connection).
  const loadConfig = emr
    ? parseLoadConfig(readRel(opts.projectDir, INGEST_PATHS.loadConfig), INGEST_PATHS.loadConfig)
    : undefined;
  const connections = emr
    ? parseEmrConnections(
        readRel(opts.projectDir, INGEST_PATHS.connections),
        INGEST_PATHS.connections,
      )
    : {};
  const secrets = opts.secrets ?? (await defaultSecrets(opts, connections, landing));
  const adapter = await openAdapter(opts.target, 1);
  const conn = await adapter.pool.acquire();
  try {
    const audit = new AuditLog(conn, adapter.dialect);
    await audit.ensure();
    const bronzeRoot = path.join(opts.projectDir, INGEST_PATHS.bronze);
    const tables =
      loadConfig === undefined
        ? []
        : await runEmrIngest({
            ...DEFAULT_LOAD_OPTIONS,
            ...(opts.keepFullLoads === undefined ? {} : { keepFullLoads: opts.keepFullLoads }),
            ...(opts.overlapSeconds === undefined ? {} : { overlapSeconds: opts.overlapSeconds }),
            ...(opts.rowsPerPart === undefined ? {} : { rowsPerPart: opts.rowsPerPart }),
            ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
            bronzeRoot,
            projectDir: opts.projectDir,
            loadConfig,
            connections,
            audit,
            only: opts.only ?? [],
            concurrency,
            env: opts.env,
            secrets,
            ...(opts.listener === undefined ? {} : { listener: opts.listener }),
          });
    const landingRoot = path.join(opts.projectDir, INGEST_PATHS.landing);
    if (landing) await fetchCodeSets(opts, landingRoot, secrets);
    const files = landing
      ? await runLandingIngest({
          landingRoot,
          bronzeRoot,
          audit,
          ...(opts.claimsDatasource === undefined
            ? {}
            : { claimsDatasource: opts.claimsDatasource }),
          ...(opts.listener === undefined ? {} : { listener: opts.listener }),
        })
      : [];
    return { tables, files };
  } finally {
    adapter.pool.release(conn);
    await adapter.close();
  }
}

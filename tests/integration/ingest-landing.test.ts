/**
 * Landing files → bronze: claims (datasource from the file name), CPT (snake_case headers), NPI
 * JSON, ICD CSV and CMS order file; exactly-once by content hash; archive and rejected folders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import { AuditLog } from '../../runner/ingest/audit-log.js';
import { runLandingIngest } from '../../runner/ingest/landing-ingest.js';
import type { IngestSandbox } from './ingest-fixtures.js';
import { loadFolders, makeSandbox } from './ingest-fixtures.js';

const CLAIMS_HEADER =
  'ClaimID,TransactionID,PatientID,EncounterID,ProviderID,DeptID,ServiceDate,ClaimDate,PayorID,ClaimAmount,PaidAmount,ClaimStatus,PayorType,Deductible,Coinsurance,Copay,InsertDate,ModifiedDate';

let sb: IngestSandbox;
let landing: string;

const put = (rel: string, text: string): void => {
  const p = path.join(landing, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
};

const runLanding = async () => {
  const conn = await openDuckDb({
    type: 'duckdb',
    name: 'dev',
    path: sb.warehouse,
    schema: 'main',
    threads: 1,
    settings: {},
  });
  try {
    const audit = new AuditLog(conn, duckdbDialect);
    await audit.ensure();
    return await runLandingIngest({ landingRoot: landing, bronzeRoot: sb.bronze, audit });
  } finally {
    await conn.close();
  }
};

beforeEach(() => {
  sb = makeSandbox();
  landing = path.join(sb.dir, 'data', 'landing');
  put(
    'claims/hospital1_claim_data.csv',
    `${CLAIMS_HEADER}\nC1,T1,P1,E1,PR1,D1,2024-01-05,2024-01-06,PY1,100.50,80.00,Paid,Medicare,10,5,5,2024-01-06,2024-01-06\n`,
  );
  put(
    'claims/hospital2_claim_data.csv',
    `${CLAIMS_HEADER}\nC9,T9,P9,E9,PR9,D9,2024-02-05,2024-02-06,PY2,"1,000.00",0,Denied,Private,0,0,0,2024-02-06,2024-02-06\n`,
  );
  put(
    'cpt/cpt_codes.csv',
    'Procedure Code Category,CPT Codes,Procedure Code Descriptions,Code Status\nMedicine,99213,"Office visit, established",Active\n',
  );
  put(
    'npi/npi_providers.json',
    JSON.stringify({
      result_count: 2,
      results: [
        {
          number: '9876543210',
          enumeration_type: 'NPI-1',
          basic: {
            first_name: 'ZOË',
            last_name: 'SMITH',
            credential: 'MD',
            last_updated: '2023-07-01',
          },
          taxonomies: [{ desc: 'Cardiology', primary: true }],
          addresses: [{ address_purpose: 'LOCATION', state: 'CA' }],
        },
        {
          number: 1234567893,
          enumeration_type: 'NPI-2',
          basic: {
            organization_name: 'ACME CLINIC',
            authorized_official_first_name: 'JO',
            authorized_official_last_name: 'DOE',
            authorized_official_title_or_position: 'CEO',
            last_updated: '2022-01-31',
          },
        },
      ],
    }),
  );
  put(
    'icd/icd10_codes.csv',
    'icd_code,icd_code_type,code_description\nA000,ICD-10,"Cholera due to Vibrio cholerae 01, biovar cholerae"\n',
  );
  put(
    'icd/icd10cm_order_2025.txt',
    [
      '00001 A00     0 Cholera                                                      Cholera',
      '00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae           Cholera due to Vibrio cholerae 01, biovar cholerae',
    ].join('\n'),
  );
});

afterEach(() => sb.cleanup());

describe('landing ingest', () => {
  it('loads every kind into bronze with lineage columns and archives the files', async () => {
    const res = await runLanding();
    expect(res.map((r) => [r.file, r.status, r.rows])).toEqual([
      ['claims/hospital1_claim_data.csv', 'loaded', 1],
      ['claims/hospital2_claim_data.csv', 'loaded', 1],
      ['cpt/cpt_codes.csv', 'loaded', 1],
      ['npi/npi_providers.json', 'loaded', 2],
      ['icd/icd10_codes.csv', 'loaded', 1],
      ['icd/icd10cm_order_2025.txt', 'loaded', 2],
    ]);
    const claims = await sb.parquet(
      'claims/claims/load_id=*/*.parquet',
      'ClaimID, ClaimAmount, datasource, _source_file',
      'ClaimID',
    );
    expect(claims).toEqual([
      {
        ClaimID: 'C1',
        ClaimAmount: '100.50',
        datasource: 'hos-a',
        _source_file: 'hospital1_claim_data.csv',
      },
      {
        ClaimID: 'C9',
        ClaimAmount: '1,000.00',
        datasource: 'hos-b',
        _source_file: 'hospital2_claim_data.csv',
      },
    ]);
    expect(
      await sb.parquet(
        'cpt/cpt_codes/load_id=*/*.parquet',
        'procedure_code_category, cpt_codes, procedure_code_descriptions, code_status',
      ),
    ).toEqual([
      {
        procedure_code_category: 'Medicine',
        cpt_codes: '99213',
        procedure_code_descriptions: 'Office visit, established',
        code_status: 'Active',
      },
    ]);
    expect(await sb.parquetTypes('npi/npi_providers/load_id=*/*.parquet')).toMatchObject({
      npi: 'BIGINT',
      last_updated: 'DATE',
    });
    expect(
      await sb.parquet(
        'npi/npi_providers/load_id=*/*.parquet',
        'npi, first_name, position, organisation_name',
        'npi',
      ),
    ).toEqual([
      { npi: 1234567893n, first_name: 'JO', position: 'CEO', organisation_name: 'ACME CLINIC' },
      { npi: 9876543210n, first_name: 'ZOË', position: 'MD', organisation_name: null },
    ]);
    const icd = await sb.parquet(
      'icd/icd_codes/load_id=*/*.parquet',
      'icd_code, code_description',
      'icd_code, code_description',
    );
    expect(icd).toHaveLength(3);
    expect(fs.readdirSync(path.join(landing, 'claims'))).toEqual([]);
    expect(fs.readdirSync(path.join(landing, 'archive', 'claims')).sort()).toEqual([
      'hospital1_claim_data.csv',
      'hospital2_claim_data.csv',
    ]);
  });

  it('processes a file exactly once by content hash (a re-dropped copy is archived, not reloaded)', async () => {
    await runLanding();
    put(
      'claims/hospital1_claim_data.csv',
      fs.readFileSync(path.join(landing, 'archive/claims/hospital1_claim_data.csv'), 'utf8'),
    );
    const again = await runLanding();
    expect(again.map((r) => r.status)).toEqual(['duplicate']);
    expect(loadFolders(sb.bronze, 'claims/claims')).toHaveLength(2);
    const manifest = await sb.warehouse_query(
      "SELECT count(*) AS n FROM audit.landed_files WHERE status = 'succeeded'",
    );
    expect(manifest).toEqual([{ n: 6n }]);
  });

  it('rejects malformed files with a reason and continues with the others', async () => {
    put(
      'claims/hospital3_claim_data.csv',
      `${CLAIMS_HEADER}\nC5,T5,P5,E5,PR5,D5,2024-01-05,2024-01-06,PY1,1,1,Paid,X,0,0,0,2024-01-06,2024-01-06\n`,
    );
    put('claims/hospital1_bad.csv', `${CLAIMS_HEADER}\nC6,T6,"SSN 123-45-6789\n`);
    put('cpt/broken.csv', 'Code,Description\n1,x\n');
    put('npi/bad.json', '{not json');
    const res = await runLanding();
    const byFile = Object.fromEntries(res.map((r) => [r.file, r.status]));
    expect(byFile).toMatchObject({
      'claims/hospital3_claim_data.csv': 'rejected',
      'claims/hospital1_bad.csv': 'rejected',
      'cpt/broken.csv': 'rejected',
      'npi/bad.json': 'rejected',
      'claims/hospital1_claim_data.csv': 'loaded',
      'cpt/cpt_codes.csv': 'loaded',
    });
    const rejected = path.join(landing, 'rejected', 'claims');
    expect(fs.readdirSync(rejected).sort()).toEqual([
      'hospital1_bad.csv',
      'hospital1_bad.csv.reason.txt',
      'hospital3_claim_data.csv',
      'hospital3_claim_data.csv.reason.txt',
    ]);
    expect(
      fs.readFileSync(path.join(rejected, 'hospital3_claim_data.csv.reason.txt'), 'utf8'),
    ).toContain('datasource');
    // the reason never echoes row content
    expect(
      fs.readFileSync(path.join(rejected, 'hospital1_bad.csv.reason.txt'), 'utf8'),
    ).not.toContain('123-45-6789');
    expect(
      fs.readFileSync(path.join(landing, 'rejected', 'cpt', 'broken.csv.reason.txt'), 'utf8'),
    ).toContain('missing column');
    const staging = path.join(sb.bronze, '_staging', 'claims', 'claims');
    expect(fs.existsSync(staging) ? fs.readdirSync(staging) : []).toEqual([]);
    expect(loadFolders(sb.bronze, 'claims/claims')).toHaveLength(2);
  });
});

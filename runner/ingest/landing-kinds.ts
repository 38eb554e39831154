/**
 * The kinds of files dropped in the landing zone and where each lands in bronze:
 *
 *   landing/claims/*.csv  → bronze/claims/claims        (datasource from the file name)
 *   landing/cpt/*.csv     → bronze/cpt/cpt_codes        (headers normalised to snake_case)
 *   landing/npi/*.json    → bronze/npi/npi_providers    (NPPES API v2.1 response documents)
 *   landing/icd/*.csv     → bronze/icd/icd_codes        (icd_code, icd_code_type, code_description)
 *   landing/icd/*.txt     → bronze/icd/icd_codes        (CMS ICD-10-CM order file)
 *
 * Code sets (cpt, npi, icd) are snapshots: readers use the latest load. Claims files are
 * additive: readers use all loads.
 */

export type LandingKind = 'claims' | 'cpt' | 'npi' | 'icd';

/** Static facts about one landing kind. */
export interface LandingKindSpec {
  readonly kind: LandingKind;
  /** Folder under the landing root. */
  readonly folder: string;
  /** File extensions accepted (lower-case, with dot). */
  readonly extensions: readonly string[];
  /** Bronze location relative to the bronze root: `<targetpath>/<table>`. */
  readonly targetPath: string;
  readonly table: string;
  /** Columns (after header normalisation) a CSV of this kind must have. */
  readonly requiredColumns: readonly string[];
  /** Whether readers take only the latest load (snapshot) or all loads. */
  readonly snapshot: boolean;
}

export const LANDING_KINDS: readonly LandingKindSpec[] = [
  {
    kind: 'claims',
    folder: 'claims',
    extensions: ['.csv'],
    targetPath: 'claims',
    table: 'claims',
    requiredColumns: ['ClaimID', 'TransactionID', 'PatientID', 'ServiceDate'],
    snapshot: false,
  },
  {
    kind: 'cpt',
    folder: 'cpt',
    extensions: ['.csv'],
    targetPath: 'cpt',
    table: 'cpt_codes',
    requiredColumns: [
      'procedure_code_category',
      'cpt_codes',
      'procedure_code_descriptions',
      'code_status',
    ],
    snapshot: true,
  },
  {
    kind: 'npi',
    folder: 'npi',
    extensions: ['.json'],
    targetPath: 'npi',
    table: 'npi_providers',
    requiredColumns: [],
    snapshot: true,
  },
  {
    kind: 'icd',
    folder: 'icd',
    extensions: ['.csv', '.txt'],
    targetPath: 'icd',
    table: 'icd_codes',
    requiredColumns: ['icd_code', 'icd_code_type', 'code_description'],
    snapshot: true,
  },
];

/** `Procedure Code Category` → `procedure_code_category`; `CPT Codes` → `cpt_codes`. */
export function snakeCase(header: string): string {
  return header
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** How claim files name their hospital: a regex with one capture group and a code per value. */
export interface DatasourceFromFileName {
  readonly pattern: string;
  readonly codes: Readonly<Record<string, string>>;
}

/** Default: `hospital1_claim_data.csv` → `hos-a`, `hospital2_…` → `hos-b`. */
export const DEFAULT_CLAIMS_DATASOURCE: DatasourceFromFileName = {
  pattern: '^hospital(\\d+)_',
  codes: { '1': 'hos-a', '2': 'hos-b' },
};

/** The datasource code of a claims file, or undefined when the name does not match. */
export function datasourceOfFile(
  fileName: string,
  rule: DatasourceFromFileName,
): string | undefined {
  const m = new RegExp(rule.pattern, 'i').exec(fileName);
  const key = m?.[1];
  return key === undefined ? undefined : rule.codes[key];
}

/**
 * Parser for the CMS ICD-10-CM order file (`icd10cm_order_<year>.txt`), the bulk alternative
 * to the WHO ICD API. Fixed-width records:
 *
 *   cols 1-5   order number (zero-padded)     col 6  blank
 *   cols 7-13  code without dot (e.g. A000)   col 14 blank
 *   col  15    1 = billable (valid for HIPAA), 0 = header     col 16 blank
 *   cols 17-76 short description              col 77 blank
 *   cols 78-   long description
 */
import { MdlError } from '../errors/mdl-error.js';

/** One ICD code row as bronze stores it. */
export interface IcdCodeRow {
  readonly icd_code: string;
  readonly icd_code_type: string;
  readonly code_description: string;
  readonly is_billable: boolean;
}

/** Parses an order file; throws E_INGEST with the line number for a malformed record. */
export function parseIcdOrderFile(
  text: string,
  file: string,
  codeType = 'ICD-10-CM',
): IcdCodeRow[] {
  const rows: IcdCodeRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const order = line.slice(0, 5);
    const code = line.slice(6, 13).trim();
    const flag = line.slice(14, 15);
    const long = line.slice(77).trim();
    const short = line.slice(16, 76).trim();
    if (
      !/^\d{5}$/.test(order) ||
      !/^[A-Z][0-9A-Z]{2,6}$/.test(code) ||
      (flag !== '0' && flag !== '1')
    )
      throw new MdlError('E_INGEST', 'not a CMS ICD-10-CM order file record', {
        file,
        line: i + 1,
        hint: 'expected fixed-width records: order(5) code(7) billable(1) short(60) long',
      });
    rows.push({
      icd_code: code,
      icd_code_type: codeType,
      code_description: long === '' ? short : long,
      is_billable: flag === '1',
    });
  });
  return rows;
}

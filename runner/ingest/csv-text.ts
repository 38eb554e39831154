/**
 * A small RFC 4180 CSV reader for config files (load_config.csv). Config files are tiny, so
 * the whole text is parsed at once; data files go through DuckDB's reader instead.
 */

/** One parsed record with the 1-based physical line it started on (for error messages). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** Thrown for an unterminated quoted field; carries the line where the field started. */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

/**
 * Parses CSV text: comma separator, `"` quoting with `""` escapes, CRLF or LF line ends.
 * Blank lines are skipped. A leading UTF-8 BOM is ignored.
 */
export function parseCsv(text: string): readonly CsvRecord[] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let fieldQuoted = false;
  const endRecord = (): void => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === '' && !fieldQuoted;
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldQuoted = false;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      fieldQuoted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldQuoted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
    }
  }
  if (inQuotes) throw new CsvSyntaxError('unterminated quoted field', recordLine);
  if (field !== '' || fields.length > 0 || fieldQuoted) endRecord();
  return records;
}

import fs from 'node:fs';
import { MdlError } from '../errors/mdl-error.js';

/** What a scan of a seed CSV found (no values are kept). */
export interface SeedCsvShape {
  readonly columns: readonly string[];
  readonly rows: number;
}

/**
 * Validates a seed CSV before DuckDB reads it, because DuckDB's sniffer cannot say where a file is
 * broken: RFC 4180 (quoted fields, doubled quotes, commas and newlines inside quotes), UTF-8 with
 * or without BOM. Empty file, empty or duplicate header names, rows with a different field count
 * (with the 1-based line where the row starts), an unterminated quote and `column_types` naming a
 * missing column are E_SEED errors naming the file. Values are never put in messages.
 */
export function checkSeedCsv(
  absolutePath: string,
  relPath: string,
  columnTypes: Readonly<Record<string, string>> | undefined,
  node?: string,
): SeedCsvShape {
  const where = { file: relPath, ...(node === undefined ? {} : { node }) };
  let text: string;
  try {
    text = fs.readFileSync(absolutePath, 'utf8');
  } catch (err) {
    throw new MdlError('E_SEED', `cannot read seed file: ${(err as Error).message}`, {
      ...where,
      hint: 'check that the file exists and is readable',
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    throw new MdlError('E_SEED', 'seed file is empty', {
      ...where,
      hint: 'a seed needs at least a header row naming its columns',
    });
  }
  if (text.includes('\uFFFD')) {
    throw new MdlError('E_SEED', 'seed file is not valid UTF-8', {
      ...where,
      hint: 'save the file as UTF-8',
    });
  }
  let header: string[] | undefined;
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quoteLine = 0;
  let rows = 0;
  let recordHasContent = false;
  const endRecord = (): void => {
    fields.push(field);
    field = '';
    const blank = !recordHasContent && fields.length === 1 && fields[0] === '';
    if (!blank) {
      if (header === undefined) {
        header = fields.map((f) => f.trim());
        const seen = new Set<string>();
        header.forEach((h, i) => {
          if (h === '')
            throw new MdlError('E_SEED', `header column ${i + 1} has no name`, {
              ...where,
              line: recordLine,
              hint: 'name every column in the header row',
            });
          const k = h.toLowerCase();
          if (seen.has(k))
            throw new MdlError('E_SEED', `header names column '${h}' twice`, {
              ...where,
              line: recordLine,
              hint: 'column names must be unique',
            });
          seen.add(k);
        });
      } else if (fields.length !== header.length) {
        throw new MdlError(
          'E_SEED',
          `row at line ${recordLine} has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.length}`,
          {
            ...where,
            line: recordLine,
            row: rows + 1,
            hint: 'fix the row (quote fields that contain commas or line breaks)',
          },
        );
      } else {
        rows += 1;
      }
    }
    fields = [];
    recordHasContent = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      inQuotes = true;
      quoteLine = line;
      recordHasContent = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      recordHasContent = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
      recordHasContent = true;
    }
  }
  if (inQuotes) {
    throw new MdlError('E_SEED', `quoted field opened at line ${quoteLine} is never closed`, {
      ...where,
      line: quoteLine,
      hint: 'close the quote (a quote inside a field is written "")',
    });
  }
  if (recordHasContent || field !== '') endRecord();
  const columns = header ?? [];
  for (const key of Object.keys(columnTypes ?? {})) {
    if (!columns.some((c) => c.toLowerCase() === key.toLowerCase())) {
      throw new MdlError(
        'E_SEED',
        `column_types names column '${key}', which the seed does not have`,
        {
          ...where,
          hint: `seed columns are: ${columns.join(', ')}`,
        },
      );
    }
  }
  return { columns, rows };
}

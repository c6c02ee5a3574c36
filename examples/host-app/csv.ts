/**
 * A small RFC 4180 CSV parser for the host's roster imports: comma-separated fields, records
 * ended by CRLF (LF and lone CR are accepted too, since spreadsheets on every OS write them),
 * double-quoted fields that may hold commas, line breaks and doubled quotes (`""`).
 *
 * Why not csv-parse: its one `relax_quotes` switch governs two rules this importer keeps apart.
 * Spreadsheets write a stray quote inside an unquoted field (`5'10"`), which we keep as text, while
 * text after a closing quote (`"abc"def`) is a mistake we refuse with its line. csv-parse either
 * refuses both or accepts both, and it reports an unclosed quote at the end of the file rather than
 * at the line where the quote opened, the line a person needs. Tested in test/host-app/csv.test.ts.
 */

/** One parsed record and the line of the file it starts on (1-based), for error messages. */
export interface CsvRecord {
  /** Line number where the record starts; quoted line breaks make a record span lines. */
  line: number;
  /** The fields, unquoted and unescaped. */
  fields: string[];
}

/** The text is not CSV a person can fix line by line (for example a quote never closed). */
export class CsvSyntaxError extends Error {
  /** The line where the problem was found (1-based). */
  readonly line: number;

  constructor(line: number, message: string) {
    super(`Line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

/**
 * Parses CSV text into records. A leading byte-order mark is ignored, a final line break does not
 * make an empty record, and blank lines are kept as one empty field (callers decide to skip them).
 * Throws `CsvSyntaxError` for a quote that is never closed or text right after a closing quote.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = '';
  let i = 0;

  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push({ line: recordLine, fields });
    fields = [];
  };
  /** Consumes a line break at `i` (CRLF, LF or CR); returns whether there was one. */
  const takeLineBreak = (): boolean => {
    const char = input[i];
    if (char === '\r') {
      i += input[i + 1] === '\n' ? 2 : 1;
    } else if (char === '\n') {
      i += 1;
    } else {
      return false;
    }
    line += 1;
    return true;
  };

  while (i < input.length) {
    if (input[i] === '"' && field === '') {
      // A quoted field: read to the closing quote, keeping commas and line breaks.
      const openedOn = line;
      i += 1;
      for (;;) {
        if (i >= input.length) throw new CsvSyntaxError(openedOn, 'a quoted field is never closed.');
        const char = input[i];
        if (char === '"') {
          if (input[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (char === '\r' || char === '\n') {
          const before = i;
          takeLineBreak();
          field += input.slice(before, i);
          continue;
        }
        field += char;
        i += 1;
      }
      const next = input[i];
      if (i < input.length && next !== ',' && next !== '\r' && next !== '\n') {
        throw new CsvSyntaxError(line, 'unexpected text after a closing quote (write a quote inside a quoted field as "").');
      }
      continue;
    }
    if (input[i] === ',') {
      endField();
      i += 1;
      continue;
    }
    if (takeLineBreak()) {
      endRecord();
      recordLine = line;
      continue;
    }
    // An unquoted field may contain a stray quote; keep it as text, as spreadsheets do.
    field += input[i];
    i += 1;
  }
  // The last record, unless the text ended with a line break (or was empty).
  if (field !== '' || fields.length > 0 || (input.length > 0 && !/[\r\n]$/.test(input))) {
    endRecord();
  }
  return records;
}

import { CsvSyntaxError, parseCsv } from '../../examples/host-app/csv';

const fields = (text: string) => parseCsv(text).map((record) => record.fields);

describe('parseCsv (RFC 4180)', () => {
  it('splits plain fields and records, with CRLF, LF or CR line ends', () => {
    expect(fields('a,b,c\r\n1,2,3\r\n')).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
    expect(fields('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(fields('a,b\r1,2\r')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps commas, line breaks and doubled quotes inside quoted fields', () => {
    expect(fields('"Smith, Jr.","say ""hi""","two\r\nlines"\r\nx,y,z')).toEqual([
      ['Smith, Jr.', 'say "hi"', 'two\r\nlines'],
      ['x', 'y', 'z'],
    ]);
  });

  it('numbers each record by the line it starts on, even after a multi-line field', () => {
    const records = parseCsv('h1,h2\n"a\nb\nc",1\nlast,2\n');
    expect(records.map((record) => record.line)).toEqual([1, 2, 5]);
  });

  it('keeps empty fields, empty quoted fields and blank lines', () => {
    expect(fields(',,\n"",x,""\n\nz')).toEqual([['', '', ''], ['', 'x', ''], [''], ['z']]);
  });

  it('ignores a byte-order mark and does not add a record for the final line break', () => {
    expect(fields('\uFEFFname\nAda\n')).toEqual([['name'], ['Ada']]);
    expect(fields('')).toEqual([]);
    expect(fields('\n')).toEqual([['']]);
  });

  it('keeps a stray quote inside an unquoted field as text', () => {
    expect(fields('5\'10",O"Brien')).toEqual([['5\'10"', 'O"Brien']]);
  });

  it('keeps spaces around fields (the importer trims values itself)', () => {
    expect(fields(' a , "b" ')).toEqual([[' a ', ' "b" ']]);
  });

  it('refuses a quoted field that is never closed, naming the line it opened on', () => {
    const thrown = captureError(() => parseCsv('a,b\n1,"open\n2,3\n'));
    expect(thrown).toBeInstanceOf(CsvSyntaxError);
    expect((thrown as CsvSyntaxError).line).toBe(2);
  });

  it('refuses text right after a closing quote', () => {
    expect(() => parseCsv('"abc"def,1')).toThrow(/Line 1: unexpected text after a closing quote/);
  });

  it('handles a large file quickly', () => {
    const text = `${'n,first,last\r\n'}${Array.from({ length: 20_000 }, (_, i) => `${i},"F, ${i}",L${i}`).join('\r\n')}`;
    const started = Date.now();
    const records = parseCsv(text);
    expect(records).toHaveLength(20_001);
    expect(records[20_000]?.fields).toEqual(['19999', 'F, 19999', 'L19999']);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

function captureError(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

// Athena's CSV result files: a header row, every value double-quoted with quotes doubled,
// newlines allowed inside quotes, SQL NULL as an unquoted empty field. Parsed chunk by chunk so
// memory stays bounded by the chunk size, whatever the size of the result.

export type CsvRecord = (string | null)[];

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

/** Yields the records completed by each chunk (possibly none), then the last unterminated one. */
export async function* csvRecords(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<CsvRecord[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let state: State = 'fieldStart';
  let field = '';
  let record: CsvRecord = [];
  let recordStarted = false;

  const endField = (value: string | null) => {
    record.push(value);
    field = '';
  };

  const parse = (text: string, out: CsvRecord[]) => {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      switch (state) {
        case 'fieldStart':
          recordStarted = true;
          if (ch === '"') state = 'quoted';
          else if (ch === ',') endField(null);
          else if (ch === '\n') {
            endField(null);
            out.push(record);
            record = [];
            recordStarted = false;
          } else if (ch !== '\r') {
            field = ch;
            state = 'unquoted';
          }
          break;
        case 'unquoted':
          if (ch === ',' || ch === '\n') {
            endField(field);
            state = 'fieldStart';
            if (ch === '\n') {
              out.push(record);
              record = [];
              recordStarted = false;
            }
          } else if (ch !== '\r') field += ch;
          break;
        case 'quoted':
          if (ch === '"') state = 'quoteInQuoted';
          else field += ch;
          break;
        case 'quoteInQuoted':
          if (ch === '"') {
            field += '"';
            state = 'quoted';
          } else if (ch === ',' || ch === '\n') {
            endField(field);
            state = 'fieldStart';
            if (ch === '\n') {
              out.push(record);
              record = [];
              recordStarted = false;
            }
          } else if (ch !== '\r') {
            throw new Error(`malformed CSV: unexpected character after a closing quote in record ${out.length + 1}`);
          }
          break;
      }
    }
  };

  for await (const chunk of chunks) {
    const out: CsvRecord[] = [];
    parse(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), out);
    yield out;
  }
  const out: CsvRecord[] = [];
  parse(decoder.decode(), out);
  // `parse` mutates the state, which control-flow narrowing cannot see.
  if ((state as State) === 'quoted') throw new Error('malformed CSV: the file ends inside a quoted value');
  if (recordStarted) {
    endField((state as State) === 'fieldStart' ? null : field);
    out.push(record);
  }
  if (out.length > 0) yield out;
}

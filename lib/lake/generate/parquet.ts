// Writes Parquet files through DuckDB (COPY … (FORMAT parquet)), single-threaded so the same rows
// always give the same bytes.
import {
  DuckDBDateValue,
  DuckDBInstance,
  DuckDBTimestampMillisecondsValue,
  type DuckDBConnection,
} from '@duckdb/node-api';
import { DAY, dayStart } from './time';

export type ParquetType = 'VARCHAR' | 'BIGINT' | 'BOOLEAN' | 'TIMESTAMP_MS' | 'DATE';
export type ParquetColumn = { name: string; type: ParquetType };
/** Strings, numbers (BIGINT; epoch ms for TIMESTAMP_MS), booleans, 'YYYY-MM-DD' for DATE, or null. */
export type ParquetCell = string | number | boolean | null;

export class ParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<ParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '256MB' });
    return new ParquetWriter(instance, await instance.connect());
  }

  async write(file: string, columns: ParquetColumn[], rows: Iterable<ParquetCell[]>): Promise<void> {
    await this.load('parquet_out', columns, rows);
    await this.copy('SELECT * FROM parquet_out', file);
    await this.connection.run('DROP TABLE parquet_out');
  }

  /** COPY (query) TO file as snappy Parquet. */
  async copy(query: string, file: string): Promise<void> {
    await this.connection.run(`COPY (${query}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`);
  }

  /** COPY (query) TO file as CSV without a header, every value quoted (S3 Inventory's CSV flavour). */
  async copyCsv(query: string, file: string): Promise<void> {
    await this.connection.run(`COPY (${query}) TO '${file.replaceAll("'", "''")}' (FORMAT csv, HEADER false, FORCE_QUOTE *)`);
  }

  /** (Re)creates a table and appends the rows. */
  async load(table: string, columns: ParquetColumn[], rows: Iterable<ParquetCell[]>): Promise<void> {
    const c = this.connection;
    await c.run(`DROP TABLE IF EXISTS ${table}`);
    await c.run(`CREATE TABLE ${table} (${columns.map((col) => `"${col.name}" ${col.type}`).join(', ')})`);
    const appender = await c.createAppender(table);
    for (const row of rows) {
      columns.forEach((col, i) => {
        const v = row[i];
        if (v === null || v === undefined) return appender.appendNull();
        switch (col.type) {
          case 'VARCHAR':
            return appender.appendVarchar(String(v));
          case 'BIGINT':
            return appender.appendBigInt(BigInt(v as number));
          case 'BOOLEAN':
            return appender.appendBoolean(Boolean(v));
          case 'TIMESTAMP_MS':
            return appender.appendTimestampMilliseconds(new DuckDBTimestampMillisecondsValue(BigInt(v as number)));
          case 'DATE':
            return appender.appendDate(new DuckDBDateValue(Math.round(dayStart(String(v)) / DAY)));
        }
      });
      appender.endRow();
    }
    appender.closeSync();
  }

  close() {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

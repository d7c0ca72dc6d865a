import 'server-only';
import { dateValue, timestampTZValue, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { EngineError, type BindValue } from '@/lib/engine/port';

/** Binds validated values to a prepared statement's `?` placeholders, in order. */
export function bindAll(prepared: DuckDBPreparedStatement, binds: BindValue[]) {
  if (prepared.parameterCount !== binds.length) {
    throw new EngineError(
      `The statement has ${prepared.parameterCount} placeholders but ${binds.length} values were given.`,
      'failed',
    );
  }
  binds.forEach((b, i) => {
    const at = i + 1;
    switch (b.type) {
      case 'varchar':
        return prepared.bindVarchar(at, b.value);
      case 'bigint':
      case 'integer':
        return prepared.bindBigInt(at, BigInt(b.value));
      case 'double':
        return prepared.bindDouble(at, b.value);
      case 'boolean':
        return prepared.bindBoolean(at, b.value);
      case 'date':
        return prepared.bindDate(at, dateValue(Math.round(Date.parse(`${b.value}T00:00:00Z`) / 86_400_000)));
      case 'timestamp':
        return prepared.bindTimestampTZ(at, timestampTZValue(BigInt(Date.parse(b.value)) * 1000n));
    }
  });
}

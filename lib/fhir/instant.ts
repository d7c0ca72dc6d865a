// FHIR `instant`: a full date-time to the second with a time zone. Engines return event times as
// ISO text (CloudTrail eventTime) or as SQL timestamp text; both are read as UTC when unzoned.

export const FHIR_INSTANT =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;

const SQL_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The value as a FHIR instant, or null when it is not a date-time to the second. */
export function toFhirInstant(value: string): string | null {
  const text = value.trim();
  if (FHIR_INSTANT.test(text)) return text;
  const m = SQL_TIMESTAMP.exec(text);
  if (!m) return null;
  const [, date, time, zone] = m;
  let offset = zone ?? 'Z';
  if (/^[+-]\d{2}$/.test(offset)) offset += ':00';
  else if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  if (offset === '+00:00' || offset === '-00:00') offset = 'Z';
  const instant = `${date}T${time}${offset}`;
  return FHIR_INSTANT.test(instant) ? instant : null;
}

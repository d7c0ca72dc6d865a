import { describe, expect, it } from 'vitest';
import { accessKind } from '@/lib/fhir/access-action';
import { idFromParts, uuidV5 } from '@/lib/fhir/deterministic-id';
import { FHIR_INSTANT, toFhirInstant } from '@/lib/fhir/instant';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('name-based UUIDs (version 5)', () => {
  it('match the reference values of other implementations', () => {
    expect(uuidV5('python.org', DNS_NAMESPACE)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('https://example.org/é', URL_NAMESPACE)).toBe('4db32f13-2b90-551e-bb13-4c966035961b');
  });

  it('are stable, carry version 5 and the RFC variant, and keep part boundaries apart', () => {
    const id = idFromParts(['a', 'b']);
    expect(id).toBe(idFromParts(['a', 'b']));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idFromParts(['a|b'])).not.toBe(idFromParts(['a', 'b']));
    expect(idFromParts(['a', null])).not.toBe(idFromParts(['a', 'null']));
  });

  it('reject a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/namespace/);
  });
});

describe('FHIR instants', () => {
  it('keep ISO instants with a zone as they are', () => {
    for (const value of ['2024-03-01T10:00:00Z', '2024-03-01T10:00:00.123Z', '2024-03-01T10:00:00+05:30']) {
      expect(toFhirInstant(value)).toBe(value);
    }
  });

  it('read unzoned SQL and ISO timestamps as UTC and normalise numeric zones', () => {
    expect(toFhirInstant('2024-03-01 10:00:00')).toBe('2024-03-01T10:00:00Z');
    expect(toFhirInstant('2024-03-01T10:00:00.5')).toBe('2024-03-01T10:00:00.5Z');
    expect(toFhirInstant('2024-03-01 10:00:00+00')).toBe('2024-03-01T10:00:00Z');
    expect(toFhirInstant('2024-03-01 10:00:00-0400')).toBe('2024-03-01T10:00:00-04:00');
  });

  it('refuse values that are not a date-time to the second', () => {
    for (const value of ['2024-03-01', '2024-03-01T10:00Z', '06/Feb/2019:00:00:38 +0000', '2024-13-01T10:00:00Z', '', 'soon']) {
      expect(toFhirInstant(value)).toBeNull();
    }
    expect(FHIR_INSTANT.test('2024-03-01T10:00:00')).toBe(false);
  });
});

describe('access kinds of AWS API actions', () => {
  it.each([
    ['GetObject', 'R', 'read'],
    ['HeadObject', 'R', 'read'],
    ['GetImageSetMetadata', 'R', 'read'],
    ['GetImageFrame', 'R', 'read'],
    ['GetDICOMInstanceFrames', 'R', 'read'],
    ['ListImageSetVersions', 'R', 'history-instance'],
    ['SearchImageSets', 'E', 'search-type'],
    ['PutObject', 'C', 'create'],
    ['CopyObject', 'C', 'create'],
    ['StoreDICOMStudy', 'C', 'create'],
    ['UpdateImageSetMetadata', 'U', 'update'],
    ['DeleteObject', 'D', 'delete'],
    ['DeleteImageSet', 'D', 'delete'],
    ['GetObjectAttributes', 'R', 'read'],
    ['ListObjectsV2', 'E', 'search-type'],
    ['CreateMultipartUpload', 'C', 'create'],
    ['PutObjectTagging', 'U', 'update'],
    ['PutObjectAcl', 'U', 'update'],
    ['UntagResource', 'U', 'update'],
    ['RemoveObject', 'D', 'delete'],
    ['RunSomething', 'E', 'operation'],
  ])('%s → action %s, interaction %s', (api, action, interaction) => {
    const kind = accessKind(api);
    expect(kind.action).toBe(action);
    expect(kind.interaction).toMatchObject({ system: 'http://hl7.org/fhir/restful-interaction', code: interaction });
  });
});

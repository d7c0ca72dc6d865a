import { Alert } from '@/components/ui/alert';
import type { PatientMatch } from '@/lib/patients/patient-view';

const TRIED: Record<PatientMatch, string> = {
  'as-written': 'the MRN exactly as typed',
  trimmed: 'the MRN without the spaces around it',
  'upper-case': 'the MRN in upper case',
  link: "the patient's pseudonymous id from a result row",
};

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * How the patient was found. An MRN is looked up exactly as typed; the documented variants are
 * tried only when that finds no study, and a match through one of them is said out loud, since it
 * could be another patient than the one meant.
 */
export function MatchNotice({ found, match, tried }: { found: boolean; match: PatientMatch | null; tried: PatientMatch[] }) {
  if (!found) {
    return (
      <Alert tone="warning" title="No study in the catalog for this MRN">
        Looked up {tried.length ? list(tried.map((t) => TRIED[t])) : 'the MRN as typed'}: no study of the catalog belongs to that patient, so there is no
        access history to show. MRNs are compared exactly, upper and lower case included; check the MRN and the catalog it was issued
        by.
      </Alert>
    );
  }
  if (match === 'trimmed') {
    return (
      <Alert tone="info" title="Found without the spaces around the MRN">
        The MRN as typed had spaces before or after it; the studies below belong to the MRN without them.
      </Alert>
    );
  }
  if (match === 'upper-case') {
    return (
      <Alert tone="warning" title="Found only with the MRN in upper case">
        No study belongs to the MRN exactly as typed; the studies below belong to the same MRN in upper case. MRNs are case-sensitive:
        make sure this is the patient you mean.
      </Alert>
    );
  }
  if (match === 'link') {
    return <Alert tone="info">Opened from a result row, by the patient&apos;s pseudonymous id: no MRN was typed.</Alert>;
  }
  return null;
}

import type { CandidateDto } from '@/lib/retention/list-retention-candidates';

/** One line of a candidate's retention: the rule that governs it and the dates it yields. */
export function retentionSummary(c: Pick<CandidateDto, 'rule' | 'ruleSet' | 'retentionClass' | 'studyDate' | 'retainedThrough' | 'retainUntil'>): string {
  const who = c.retentionClass === 'pediatric' ? 'a minor at the study' : c.retentionClass === 'adult' ? 'an adult at the study' : 'age at the study unknown';
  if (!c.rule || !c.retainUntil) return `Rule set ${c.ruleSet}: retention cannot be computed (${who}).`;
  return `Rule ${c.rule} of ${c.ruleSet} (${who}): study ${c.studyDate}, kept through ${c.retainedThrough}, deletable from ${c.retainUntil}.`;
}

export function explainHref(studyInstanceUid: string): string {
  return `/retention?${new URLSearchParams({ explain: studyInstanceUid }).toString()}#explanation`;
}

import type { Actor } from '@/lib/actor';
import { can, type Permission } from './policy';

const SECTIONS: { href: string; label: string; permission: Permission }[] = [
  { href: '/audit', label: 'Audit', permission: 'audit.view' },
  { href: '/patients', label: 'Patients', permission: 'patient.read_phi' },
  { href: '/posture', label: 'Posture', permission: 'posture.view' },
  { href: '/retention', label: 'Retention', permission: 'retention.view' },
  { href: '/evidence', label: 'Evidence', permission: 'evidence.view' },
  { href: '/admin', label: 'Admin', permission: 'journal.view' },
];

/** The sections a role sees in the navigation (each page checks its permission again). */
export function navigationFor(actor: Actor): { href: string; label: string }[] {
  return SECTIONS.filter((s) => can(actor, s.permission)).map(({ href, label }) => ({ href, label }));
}

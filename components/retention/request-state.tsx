import { Badge } from '@/components/ui/alert';
import type { DeletionState } from '@/lib/db/schema/retention';

const TONES: Record<DeletionState, 'neutral' | 'success' | 'warning' | 'error' | 'info'> = {
  pending: 'info',
  approved: 'info',
  executing: 'info',
  completed: 'success',
  halted: 'warning',
  failed: 'error',
  rejected: 'neutral',
  withdrawn: 'neutral',
  expired: 'neutral',
};

export function RequestStateBadge({ state, label }: { state: DeletionState; label: string }) {
  return <Badge tone={TONES[state]}>{label}</Badge>;
}

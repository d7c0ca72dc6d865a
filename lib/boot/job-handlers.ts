import 'server-only';
import { compactLakeJob, LAKE_COMPACT_JOB } from '@/lib/admin/compact-lake-now';
import { ACCESS_INDEX_JOB, accessIndexJob } from '@/lib/admin/refresh-access-index';
import { journalCheckpointJob } from '@/lib/admin/write-journal-checkpoint';
import { CHECKPOINT_JOB } from '@/lib/journal/checkpoints';
import type { Services } from '@/lib/context';
import type { JobHandlers } from '@/lib/jobs/types';
import { purgeResultsJob, RESULTS_PURGE_JOB } from '@/lib/queries/purge-results';
import { QUERY_RUN_JOB, queryRunJob } from '@/lib/queries/query-run-job';
import { POSTURE_REFRESH_JOB, postureRefreshJob } from '@/lib/posture/refresh-posture';
import { deletionJob } from '@/lib/retention/execute-deletion-request';
import { certificateJob } from '@/lib/retention/issue-disposition-certificate';
import { CERTIFICATE_JOB, DELETION_JOB } from '@/lib/retention/job-kinds';

/** Which domain does each kind of background job: the one table the workers run from. */
export function jobHandlers(services: Services): JobHandlers {
  return {
    [QUERY_RUN_JOB]: queryRunJob(services),
    [LAKE_COMPACT_JOB]: compactLakeJob(services),
    [ACCESS_INDEX_JOB]: accessIndexJob(services),
    [RESULTS_PURGE_JOB]: purgeResultsJob(services),
    [CHECKPOINT_JOB]: journalCheckpointJob(services),
    [POSTURE_REFRESH_JOB]: postureRefreshJob(services),
    [DELETION_JOB]: deletionJob(services),
    [CERTIFICATE_JOB]: certificateJob(services),
  };
}

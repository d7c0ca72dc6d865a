// The retention domain's background jobs (handlers in lib/boot/job-handlers.ts).
export const DELETION_JOB = 'retention.execute';
export const CERTIFICATE_JOB = 'retention.certificate';

ALTER TABLE "query_runs" ADD COLUMN "result_keep_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "query_runs" ADD COLUMN "result_purged_at" timestamp with time zone;
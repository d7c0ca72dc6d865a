CREATE TABLE "posture_refreshes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"window_from" date NOT NULL,
	"window_to" date NOT NULL,
	"trigger" text NOT NULL,
	"state" text NOT NULL,
	"runs" jsonb NOT NULL,
	"snapshots" jsonb NOT NULL,
	"problems" jsonb NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_label" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "posture_snapshots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"subject" text,
	"taken_at" timestamp with time zone NOT NULL,
	"calls" jsonb NOT NULL,
	"body" jsonb,
	"unavailable" text,
	"sha256" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_label" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "posture_refreshes_window_idx" ON "posture_refreshes" USING btree ("window_from","window_to","requested_at");--> statement-breakpoint
CREATE INDEX "posture_snapshots_kind_idx" ON "posture_snapshots" USING btree ("kind","taken_at");
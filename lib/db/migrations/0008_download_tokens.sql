CREATE TABLE "download_tokens" (
	"token_sha256" text PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"format" text NOT NULL,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "download_tokens_expires_idx" ON "download_tokens" USING btree ("expires_at");
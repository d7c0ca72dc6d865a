CREATE TABLE "evidence" (
	"id" uuid PRIMARY KEY NOT NULL,
	"evidence_id" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"subject" jsonb NOT NULL,
	"subject_ref" text NOT NULL,
	"window_from" date,
	"window_to" date,
	"sha256" text NOT NULL,
	"bytes" integer NOT NULL,
	"signer_fingerprint" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_label" text NOT NULL,
	"actor_role" text,
	"journal_head_seq" bigint NOT NULL,
	"journal_head_hash" text NOT NULL,
	"object_bucket" text NOT NULL,
	"object_key" text NOT NULL,
	"object_version_id" text NOT NULL,
	CONSTRAINT "evidence_evidence_id_unique" UNIQUE("evidence_id"),
	CONSTRAINT "evidence_sha256_unique" UNIQUE("sha256")
);
--> statement-breakpoint
CREATE TABLE "signer_certificates" (
	"fingerprint" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"issuer" text NOT NULL,
	"serial_number" text NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"chain_pem" text NOT NULL,
	"adapter" text NOT NULL,
	"first_used_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "download_tokens" ALTER COLUMN "run_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "download_tokens" ADD COLUMN "evidence_id" uuid;--> statement-breakpoint
CREATE INDEX "evidence_created_idx" ON "evidence" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "evidence_actor_idx" ON "evidence" USING btree ("actor_id","created_at");--> statement-breakpoint
CREATE INDEX "evidence_subject_idx" ON "evidence" USING btree ("subject_ref");--> statement-breakpoint
CREATE OR REPLACE FUNCTION evidence_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the evidence registry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER evidence_no_update_delete BEFORE UPDATE OR DELETE ON evidence
  FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change();
--> statement-breakpoint
CREATE TRIGGER evidence_no_truncate BEFORE TRUNCATE ON evidence
  FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse_change();
--> statement-breakpoint
CREATE TRIGGER signer_certificates_no_update_delete BEFORE UPDATE OR DELETE ON signer_certificates
  FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change();

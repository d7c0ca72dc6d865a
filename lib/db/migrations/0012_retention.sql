CREATE TABLE "deletion_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"user_label" text NOT NULL,
	"decision" text NOT NULL,
	"manifest_sha256" text NOT NULL,
	"step_up" text,
	"step_up_at" timestamp with time zone,
	"comment" text,
	"decided_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "deletion_items" (
	"request_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"study_instance_uid" text NOT NULL,
	"kind" text NOT NULL,
	"container" text NOT NULL,
	"name" text NOT NULL,
	"version_id" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"updated_at" timestamp with time zone,
	CONSTRAINT "deletion_items_request_id_seq_pk" PRIMARY KEY("request_id","seq")
);
--> statement-breakpoint
CREATE TABLE "deletion_request_studies" (
	"request_id" uuid NOT NULL,
	"study_instance_uid" text NOT NULL,
	"open" boolean DEFAULT true NOT NULL,
	CONSTRAINT "deletion_request_studies_request_id_study_instance_uid_pk" PRIMARY KEY("request_id","study_instance_uid")
);
--> statement-breakpoint
CREATE TABLE "deletion_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"requested_by" text NOT NULL,
	"requested_by_label" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"as_of" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"manifest_sha256" text NOT NULL,
	"studies" integer NOT NULL,
	"object_versions" integer NOT NULL,
	"bytes" bigint NOT NULL,
	"image_sets" integer NOT NULL,
	"state_reason" text,
	"updated_at" timestamp with time zone NOT NULL,
	"execution_started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"execution" jsonb,
	"certificate" jsonb
);
--> statement-breakpoint
CREATE TABLE "legal_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"study_instance_uid" text NOT NULL,
	"reason" text NOT NULL,
	"placed_by" text NOT NULL,
	"placed_by_label" text NOT NULL,
	"placed_at" timestamp with time zone NOT NULL,
	"lifted_by" text,
	"lifted_by_label" text,
	"lifted_at" timestamp with time zone,
	"lift_reason" text
);
--> statement-breakpoint
CREATE TABLE "retention_rule_sets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rule_set_id" text NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"in_force" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "study_dispositions" (
	"study_instance_uid" text PRIMARY KEY NOT NULL,
	"accession_number" text,
	"patient_id_hash" text,
	"datastore_id" text,
	"image_set_ids" jsonb NOT NULL,
	"s3_key_prefix" text,
	"request_id" uuid NOT NULL,
	"disposed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deletion_decisions" ADD CONSTRAINT "deletion_decisions_request_id_deletion_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."deletion_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deletion_decisions" ADD CONSTRAINT "deletion_decisions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deletion_items" ADD CONSTRAINT "deletion_items_request_id_deletion_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."deletion_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deletion_request_studies" ADD CONSTRAINT "deletion_request_studies_request_id_deletion_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."deletion_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_dispositions" ADD CONSTRAINT "study_dispositions_request_id_deletion_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."deletion_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deletion_decisions_person_idx" ON "deletion_decisions" USING btree ("request_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deletion_request_studies_open_idx" ON "deletion_request_studies" USING btree ("study_instance_uid") WHERE "deletion_request_studies"."open";--> statement-breakpoint
CREATE INDEX "deletion_requests_state_idx" ON "deletion_requests" USING btree ("state");--> statement-breakpoint
CREATE UNIQUE INDEX "legal_holds_active_idx" ON "legal_holds" USING btree ("study_instance_uid") WHERE "legal_holds"."lifted_at" is null;--> statement-breakpoint
CREATE INDEX "legal_holds_study_idx" ON "legal_holds" USING btree ("study_instance_uid");--> statement-breakpoint
CREATE UNIQUE INDEX "retention_rule_sets_version_idx" ON "retention_rule_sets" USING btree ("rule_set_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "retention_rule_sets_in_force_idx" ON "retention_rule_sets" USING btree ("rule_set_id") WHERE "retention_rule_sets"."in_force";--> statement-breakpoint
CREATE INDEX "study_dispositions_patient_idx" ON "study_dispositions" USING btree ("patient_id_hash");--> statement-breakpoint
INSERT INTO "retention_rule_sets" ("rule_set_id", "version", "definition", "in_force", "created_by") VALUES ('default', 1, '{"id":"default","name":"Health system retention mandate","jurisdiction":"Health system (all facilities)","version":1,"majorityAge":18,"leapDay":"feb28","rules":[{"id":"mammography-10y","when":{"modality":["MG"]},"keep":{"yearsAfterStudy":10}},{"id":"pediatric-21-plus-3","when":{"minorAtStudy":true},"keep":{"yearsAfterStudy":7,"untilAge":21,"plusYears":3}},{"id":"adult-7y","when":{},"keep":{"yearsAfterStudy":7}}]}'::jsonb, true, 'Custos (migration 0012)');

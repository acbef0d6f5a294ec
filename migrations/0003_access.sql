CREATE TABLE "access_grants" (
	"subject" text NOT NULL,
	"privilege" text NOT NULL,
	"on_pattern" text NOT NULL,
	"namespace_pattern" text NOT NULL,
	"created_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "access_grants_subject_privilege_on_pattern_namespace_pattern_pk" PRIMARY KEY("subject","privilege","on_pattern","namespace_pattern")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"principal" text NOT NULL,
	"operation" text NOT NULL,
	"ref" text,
	"namespaces" jsonb NOT NULL,
	"decision" text NOT NULL,
	"rule" text,
	"detail" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"name" text NOT NULL,
	"state" text NOT NULL,
	"description" text NOT NULL,
	"details_url" text NOT NULL,
	"reporter" text NOT NULL,
	"reporter_roles" jsonb NOT NULL,
	"reported_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "protections" (
	"pattern" text PRIMARY KEY NOT NULL,
	"rule" jsonb NOT NULL,
	"updated_at" bigint NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "check_results_hash" ON "check_results" USING btree ("hash","name");
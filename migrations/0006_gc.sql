CREATE TABLE "gc_deletions" (
	"run_id" text NOT NULL,
	"path" text NOT NULL,
	"bytes" bigint NOT NULL,
	"table_location" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer NOT NULL,
	"last_error" text,
	CONSTRAINT "gc_deletions_run_id_path_pk" PRIMARY KEY("run_id","path")
);
--> statement-breakpoint
CREATE TABLE "gc_dropped_heads" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"hash" text NOT NULL,
	"dropped_at" bigint NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gc_policies" (
	"ref_type" text NOT NULL,
	"pattern" text NOT NULL,
	"retain_ms" bigint NOT NULL,
	"retain_commits" integer NOT NULL,
	"deleted_grace_ms" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "gc_policies_ref_type_pattern_pk" PRIMARY KEY("ref_type","pattern")
);
--> statement-breakpoint
CREATE TABLE "gc_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"dry_run" integer NOT NULL,
	"started_at" bigint NOT NULL,
	"finished_at" bigint,
	"lease_until" bigint NOT NULL,
	"started_by" text NOT NULL,
	"options" jsonb NOT NULL,
	"report" jsonb,
	"error" text
);
--> statement-breakpoint
CREATE INDEX "gc_dropped_heads_dropped_at" ON "gc_dropped_heads" USING btree ("dropped_at");--> statement-breakpoint
CREATE INDEX "gc_runs_started_at" ON "gc_runs" USING btree ("started_at");
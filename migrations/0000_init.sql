CREATE TABLE "commits" (
	"hash" text PRIMARY KEY NOT NULL,
	"parent" text,
	"merge_parent" text,
	"gen" bigint NOT NULL,
	"commit_time" bigint NOT NULL,
	"author" text NOT NULL,
	"message" text NOT NULL,
	"properties" jsonb NOT NULL,
	"operations" jsonb NOT NULL,
	"index_root" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contents" (
	"hash" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"content_id" text NOT NULL,
	"metadata_location" text,
	"metadata" text,
	"snapshot_id" bigint,
	"schema_id" integer,
	"spec_id" integer,
	"sort_order_id" integer,
	"version_id" integer,
	"properties" jsonb
);
--> statement-breakpoint
CREATE TABLE "index_nodes" (
	"hash" text PRIMARY KEY NOT NULL,
	"level" smallint NOT NULL,
	"data" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "refs" (
	"name" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"hash" text NOT NULL
);

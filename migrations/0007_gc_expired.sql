CREATE TABLE "gc_expired" (
	"hash" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"expired_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gc_retained" (
	"run_id" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "gc_retained_run_id_hash_pk" PRIMARY KEY("run_id","hash")
);

CREATE TABLE "table_locations" (
	"location" text PRIMARY KEY NOT NULL,
	"table_uuid" text NOT NULL,
	"content_id" text NOT NULL,
	"key" text NOT NULL,
	"claimed_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "table_locations_table_uuid" ON "table_locations" USING btree ("table_uuid");
-- Table and view metadata documents are stored inline (a few KB to a few MB each) and TOASTed.
-- lz4 compresses them several times faster than the default pglz (a merge that writes 1,000
-- tables spends most of its database time compressing them). Values already stored keep their
-- compression. Where the server was built without lz4 (or predates PostgreSQL 14) nothing changes.
DO $$
BEGIN
  ALTER TABLE "contents" ALTER COLUMN "metadata" SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'lz4 compression unavailable, contents.metadata keeps the default: %', SQLERRM;
END $$;

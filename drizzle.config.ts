import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema with `npm run db:generate` and committed; they are
// forward-only and applied by the store's init() on PostgreSQL and PGlite alike.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/catalog/store/schema.ts',
  out: './migrations',
});

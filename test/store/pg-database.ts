/** Creates a fresh, uniquely named database on the test server so suites never share state. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** Set by scripts/with-postgres.sh (or by hand) to a server the tests may create databases on. */
export const TEST_PG_URL = process.env.LAKECAT_TEST_PG_URL;

export async function freshDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lakecat_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

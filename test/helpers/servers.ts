import pg from 'pg'

/** The PostgreSQL server URL for server-backed suites, or undefined to skip them. */
export const POSTGRES_URL = nonEmpty(process.env.MIG_TEST_POSTGRES_URL)
/** The MySQL/MariaDB server URL for server-backed suites, or undefined to skip them. */
export const MYSQL_URL = nonEmpty(process.env.MIG_TEST_MYSQL_URL)

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

/** Replaces the database name of a URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** Creates a uniquely named PostgreSQL database; returns its URL and a function that drops it. */
export async function createPostgresDatabase(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}"`)
  } finally {
    await admin.end()
  }
  return {
    url: withDatabase(serverUrl, name),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

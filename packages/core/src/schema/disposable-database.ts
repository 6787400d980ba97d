import { Project } from '../context.js'
import { nodeCrypto } from '../digest.js'
import { CommandError } from '../errors.js'

/** A database made for one command and dropped after it, as a project that points at it. */
export interface DisposableDatabase {
  /** The project, its URL replaced by the disposable database's. */
  readonly project: Project
  /** What to call it in messages (password masked). */
  readonly display: string
  drop(): Promise<void>
}

/**
 * A database of the project's kind that no one else uses, for a command that must run revisions
 * or DDL without touching the project's database (`mig test`, a schema replayed to the heads):
 * an in-memory PGlite for PostgreSQL and PGlite projects, an in-memory SQLite for SQLite ones;
 * with `server` (a `postgres://` or `mysql://` URL), a database `mig_test_<random>` created on
 * that server and dropped by `drop`. MySQL/MariaDB has no embedded form, so it needs `server`;
 * `how` says how to give one, for the error.
 */
export async function disposableDatabase(
  project: Project,
  server: string | undefined,
  how: string,
): Promise<DisposableDatabase> {
  const withUrl = (url: string) =>
    new Project(project.config, project.environment, { ...project.options, url })
  const serverDialect = server === undefined ? undefined : withUrl(server).target().dialect
  if (server !== undefined && (serverDialect === 'postgres' || serverDialect === 'mysql')) {
    return throwawayServerDatabase(withUrl, server)
  }
  const dialect = serverDialect ?? project.target().dialect
  if (dialect === 'pglite' || dialect === 'postgres') {
    return {
      project: withUrl('pglite:memory:'),
      display: 'an in-memory embedded PostgreSQL',
      drop: async () => {},
    }
  }
  if (dialect === 'sqlite') {
    return {
      project: withUrl('sqlite::memory:'),
      display: 'an in-memory SQLite database',
      drop: async () => {},
    }
  }
  throw new CommandError(
    `MySQL/MariaDB has no embedded database to run on: ${how} names the server to create a throwaway database on (the configured database is never used)`,
  )
}

/** A database created on the server `url` names, dropped by `drop`. */
async function throwawayServerDatabase(
  withUrl: (url: string) => Project,
  url: string,
): Promise<DisposableDatabase> {
  const { sql } = await import('kysely')
  const { withSession } = await import('../runtime/session.js')
  const name = `mig_test_${nodeCrypto().randomBytes(6).toString('hex')}`
  const admin = withUrl(url)
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  const target = withUrl(parsed.toString())
  await withSession(admin, { lock: false }, async (session) => {
    await sql`create database ${sql.id(name)}`.execute(session.connection.db)
  })
  return {
    project: target,
    display: target.target().display,
    drop: () =>
      withSession(admin, { lock: false }, async (session) => {
        await sql`drop database if exists ${sql.id(name)}`.execute(session.connection.db)
      }),
  }
}

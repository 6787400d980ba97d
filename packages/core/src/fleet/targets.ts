import type { Project } from '../context.js'
import { maskUrl } from '../dialects/url.js'
import { ConfigError } from '../errors.js'

/** One target of a fleet: a database (by URL) or a PostgreSQL schema of the configured one. */
export interface FleetTarget {
  /** How the summary and `--json` name it: the given name, the schema, or the masked URL. */
  readonly name: string
  readonly url?: string | undefined
  readonly schema?: string | undefined
}

/** A schema name a target may use: it becomes the version table's schema and the search path. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/

/**
 * Reads the config's `targets`, calling it first when it is a function. Every problem (the
 * function throws, a shape it does not know, two targets with one name) is one ConfigError
 * naming the config file, before any target is touched.
 */
export async function loadTargets(project: Project): Promise<readonly FleetTarget[]> {
  const { config } = project
  const where = config.file ?? 'config'
  let raw = config.targets
  if (raw === undefined || raw === null) {
    throw new ConfigError(
      `--all needs 'targets' in ${where} ({ urls: [...] }, { schemas: [...] } or a function)`,
      config.file,
    )
  }
  if (typeof raw === 'function') {
    try {
      raw = await (raw as () => unknown)()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      throw new ConfigError(`${where}: the targets function failed: ${message.split('\n')[0]}`, config.file, {
        cause: error,
      })
    }
  }
  const targets = parseTargets(raw, where, config.file)
  const seen = new Set<string>()
  for (const target of targets) {
    if (seen.has(target.name)) {
      throw new ConfigError(
        `${where}: two targets are named '${target.name}'; each target needs its own name`,
        config.file,
      )
    }
    seen.add(target.name)
  }
  if (targets.length === 0) throw new ConfigError(`${where}: 'targets' lists no target`, config.file)
  if (targets.some((t) => t.schema !== undefined) && project.dialect().sqlFlavour !== 'postgres') {
    throw new ConfigError(
      `${where}: 'targets.schemas' needs a PostgreSQL database (this one is ${project.dialect().name})`,
      config.file,
    )
  }
  return Object.freeze(targets)
}

function parseTargets(raw: unknown, where: string, file: string | undefined): FleetTarget[] {
  const shape = `${where}: 'targets' must be { urls: [...] } or { schemas: [...] } (or a function returning one)`
  if (raw === null || typeof raw !== 'object') throw new ConfigError(shape, file)
  const { urls, schemas } = raw as { urls?: unknown; schemas?: unknown }
  if ((urls === undefined) === (schemas === undefined)) throw new ConfigError(shape, file)
  if (schemas !== undefined) {
    if (!Array.isArray(schemas)) throw new ConfigError(shape, file)
    return schemas.map((schema) => {
      if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.length > 63) {
        throw new ConfigError(
          `${where}: target schema ${JSON.stringify(schema)} is not a plain schema name (letters, digits, _ and $; at most 63)`,
          file,
        )
      }
      return Object.freeze({ name: schema, schema })
    })
  }
  if (!Array.isArray(urls)) throw new ConfigError(shape, file)
  return urls.map((entry) => {
    if (typeof entry === 'string' && entry !== '') return Object.freeze({ name: maskUrl(entry), url: entry })
    const named = entry as { name?: unknown; url?: unknown } | null
    if (named !== null && typeof named === 'object' && typeof named.name === 'string' && named.name !== '') {
      if (typeof named.url === 'string' && named.url !== '')
        return Object.freeze({ name: named.name, url: named.url })
    }
    throw new ConfigError(`${where}: each of 'targets.urls' must be a URL or { name, url }`, file)
  })
}

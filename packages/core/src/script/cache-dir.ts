import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join, parse } from 'node:path'
import { CONFIG_FILES } from '../config/config-files.js'
import { fingerprint } from '../digest.js'

// Revision files share a folder: one upward search serves them all within a run.
const cacheDirs = new Map<string, string>()
/** What marks a project's root folder, for a project with no node_modules. */
const PROJECT_MARKERS = ['package.json', '.git', ...CONFIG_FILES]
/** Names the project a user cache folder belongs to. */
const PROJECT_FILE = 'project.json'

/**
 * Where migraph keeps what it compiles and reads of files under `from`:
 * `<nearest node_modules>/.cache/migraph`, where bare imports resolve as from the file itself.
 * A project with no node_modules above it (run by `npx migraph` or a global `mig`) gets a folder
 * of its own in the user's cache instead, `$XDG_CACHE_HOME/migraph/<project>-<hash>` (by default
 * `~/.cache/migraph/...`); folders there whose project no longer exists are removed when a new
 * one is made.
 */
export function findCacheDir(from: string): string {
  let found = cacheDirs.get(from)
  if (found !== undefined) return found
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      found = join(dir, 'node_modules', '.cache', 'migraph')
      break
    }
    if (dir === parse(dir).root) {
      found = userCacheDir(from)
      break
    }
  }
  cacheDirs.set(from, found)
  return found
}

/** The user cache folder of the project `from` belongs to; made on first use. */
function userCacheDir(from: string): string {
  const xdg = process.env.XDG_CACHE_HOME
  const base = join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'migraph')
  const root = projectRoot(from)
  const dir = join(base, `${basename(root).replace(/[^\w.-]/g, '_') || 'root'}-${fingerprint(root)}`)
  if (!existsSync(dir)) {
    try {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, PROJECT_FILE), JSON.stringify({ root }))
      pruneOrphans(base, dir)
    } catch {
      // An unwritable cache: every run compiles again, and says nothing (only a cache).
    }
  }
  return dir
}

/** The nearest folder at or above `from` that holds a package.json, a `.git` or a config. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (PROJECT_MARKERS.some((name) => existsSync(join(dir, name)))) return dir
    if (dir === parse(dir).root) return from
  }
}

/** Removes the user cache folders of projects that no longer exist. */
function pruneOrphans(base: string, keep: string): void {
  for (const name of readdirSync(base)) {
    const dir = join(base, name)
    if (dir === keep) continue
    try {
      const { root } = JSON.parse(readFileSync(join(dir, PROJECT_FILE), 'utf8')) as { root?: unknown }
      if (typeof root === 'string' && !existsSync(root)) rmSync(dir, { recursive: true, force: true })
    } catch {
      // Not a project folder of ours, or one being made: left alone.
    }
  }
}

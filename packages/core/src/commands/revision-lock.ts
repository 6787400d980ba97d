import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Project } from '../context.js'
import { describeLockHolder, LockTimeoutError } from '../dialects/index.js'
import { acquireLockFile, type ProcessLockFile } from '../dialects/process-lock-file.js'
import { MigraphError } from '../errors.js'
import { revisionFileNames } from '../script/folder-listing.js'

/** The lock file inside a versions folder that writers of new revisions take in turn. */
export const REVISION_LOCK_FILE = '.mig-revision.lock'

/** Held locks of the versions folders; `release()` frees them all. */
export interface VersionFoldersLock {
  release(): void
}

/**
 * Serialises the commands that write a revision file (`revision`, `merge`): each takes
 * {@link REVISION_LOCK_FILE} in every versions folder, in sorted order (so two writers never
 * wait on each other crosswise), before it reads the graph, and keeps it until the file is
 * written. Two concurrent `mig revision` therefore chain their revisions instead of both
 * following the same head. The file names its holder's pid; one left by a process that died
 * is taken over. A folder that does not exist is skipped (loading the graph reports it).
 */
export async function lockVersionFolders(project: Project): Promise<VersionFoldersLock> {
  const folders = [...new Set(project.config.versionLocations)].filter((f) => existsSync(f)).sort()
  const held: ProcessLockFile[] = []
  const release = () => {
    for (const lock of held.reverse()) lock.release()
  }
  try {
    for (const folder of folders) {
      const path = join(folder, REVISION_LOCK_FILE)
      held.push(
        await acquireLockFile(path, folder, 'mig revision', {
          timeoutMs: project.lockTimeoutMs,
          onWait: (holder, waitedMs) =>
            project.environment.reporter.info(
              `Waiting for ${path}, held by ${describeLockHolder(holder)} while it writes a revision (${Math.round(waitedMs / 1000)} s so far, timeout ${Math.round(project.lockTimeoutMs / 1000)} s)`,
            ),
        }),
      )
    }
  } catch (error) {
    release()
    if (!(error instanceof LockTimeoutError)) throw error
    throw new MigraphError(
      'lock-timeout',
      `Timed out after ${error.timeoutMs} ms waiting for ${error.lockName}, held by ` +
        `${describeLockHolder(error.holder)}: another 'mig revision' or 'mig merge' is writing a ` +
        'revision. Wait for it to finish, or delete the file if no such process is running',
      { cause: error },
    )
  }
  return { release }
}

/** How many revision files the versions folders hold now (one listing, no file read). */
export function countRevisionFiles(folders: readonly string[], recursive: boolean): number {
  let count = 0
  for (const folder of new Set(folders)) {
    try {
      count += revisionFileNames(folder, recursive).length
    } catch {
      // A folder gone meanwhile: the count differs, and the graph is read again.
    }
  }
  return count
}

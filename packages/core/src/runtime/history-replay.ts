import type { HistoryEntry } from './history-table.js'

// What the history table's entries say, replayed in order: pure functions, no database.

/**
 * The revisions no `mig resolve` has settled yet, upgrades refuse to run past them: those that
 * failed after part of them was committed, and those started (where a step cannot roll back)
 * with no end recorded, whose run was interrupted.
 */
export function unresolvedFailures<E extends Pick<HistoryEntry, 'revision' | 'status' | 'startedAt'>>(
  history: readonly E[],
): E[] {
  const last = new Map<string, E>()
  for (const entry of history) {
    const previous = last.get(entry.revision)
    // A step's end shares its start time with its `started` entry: it settles that entry
    // whichever of the two the table returned first.
    if (entry.status === 'started' && previous?.startedAt === entry.startedAt) continue
    last.set(entry.revision, entry)
  }
  return [...last.values()].filter((entry) => entry.status === 'failed' || entry.status === 'started')
}

/**
 * The revisions the history says are applied, replaying its entries in order: an upgrade adds
 * its revision, a downgrade removes it, `mig resolve` does what it declared. A stamp or a purge
 * set the version table by hand, so the entries before it no longer tell what it holds: only the
 * revisions stamped up since count.
 */
export function appliedByHistory(
  history: readonly Pick<HistoryEntry, 'revision' | 'direction' | 'status'>[],
): Set<string> {
  const applied = new Set<string>()
  let stamping = false
  for (const entry of history) {
    switch (entry.status) {
      case 'applied':
        applied.add(entry.revision)
        break
      case 'reverted':
        applied.delete(entry.revision)
        break
      case 'resolved-applied':
        if (entry.direction === 'up') applied.add(entry.revision)
        else applied.delete(entry.revision)
        break
      case 'stamped':
        // One `mig stamp` records a step per branch it moves: those stamped up together all count.
        if (!(stamping && entry.direction === 'up')) applied.clear()
        if (entry.direction === 'up') applied.add(entry.revision)
        break
      case 'purged':
        applied.clear()
        break
      // The revision is where the failed step found it; `started` and `failed` await resolve.
      case 'resolved-rolled-back':
      case 'started':
      case 'failed':
        break
    }
    stamping = entry.status === 'stamped' && entry.direction === 'up'
  }
  return applied
}

/** The checksum each revision had when it was last applied (upgrade or resolve --applied). */
export function appliedChecksums(
  history: readonly Pick<HistoryEntry, 'revision' | 'direction' | 'status' | 'checksum'>[],
): Map<string, string> {
  const out = new Map<string, string>()
  for (const entry of history) {
    // `resolve` declares what the failed step did: an upgrade applied or undone, or a downgrade
    // done (the revision gone) or undone (the revision still there, as applied before).
    const up = entry.direction === 'up'
    const applied = entry.status === 'applied' || (entry.status === 'resolved-applied' && up)
    const gone =
      entry.status === 'reverted' ||
      (entry.status === 'resolved-applied' && !up) ||
      (entry.status === 'resolved-rolled-back' && up)
    if (applied && entry.checksum !== null) out.set(entry.revision, entry.checksum)
    if (gone) out.delete(entry.revision)
  }
  return out
}

import type { RevisionInfo } from '@migraph/core'

/** Alembic's rendering of a revision's parents: `<base>` or the comma-joined ids. */
function parents(info: RevisionInfo): string {
  const down =
    info.dependsOn.length === 0
      ? info.downRevisions
      : info.downRevisions.filter((id) => !info.dependsOn.includes(id))
  // Most revisions have one parent: no list to join.
  return down.length === 0 ? '<base>' : down.length === 1 ? (down[0] as string) : down.join(', ')
}

export interface HeadOnlyOptions {
  readonly includeBranches?: boolean
  readonly includeDoc?: boolean
  readonly includeParents?: boolean
  readonly treeIndicators?: boolean
  /** `false` leaves out `(current)` (what `mig current` lists is current by definition) */
  readonly markCurrent?: boolean
}

/** One line per revision, as Alembic's `Script._head_only`. */
export function formatRevisionLine(info: RevisionInfo, options: HeadOnlyOptions = {}): string {
  let text = info.revision
  if (options.includeParents === true) {
    text =
      info.dependsOn.length > 0
        ? `${parents(info)} (${info.dependsOn.join(', ')}) -> ${text}`
        : `${parents(info)} -> ${text}`
  }
  if (options.includeBranches === true && info.branchLabels.length > 0) {
    text += ` (${info.branchLabels.join(', ')})`
  }
  if (info.isHead) text += info.isRealHead === false ? ' (effective head)' : ' (head)'
  if (info.isCurrent === true && options.markCurrent !== false) text += ' (current)'
  if (options.treeIndicators !== false) {
    if (info.isBranchPoint) text += ' (branchpoint)'
    if (info.isMergePoint) text += ' (mergepoint)'
  }
  if (options.includeDoc === true) text += `, ${info.message ?? ''}`
  return text
}

/** The verbose block, as Alembic's `Script.log_entry`. */
export function formatRevisionBlock(
  info: RevisionInfo,
  options: { readonly markCurrent?: boolean } = {},
): string {
  let entry = `Rev: ${info.revision}`
  if (info.isHead) entry += ' (head)'
  if (info.isBranchPoint) entry += ' (branchpoint)'
  if (info.isMergePoint) entry += ' (mergepoint)'
  if (info.isCurrent === true && options.markCurrent !== false) entry += ' (current)'
  entry += '\n'
  entry += info.isMergePoint ? `Merges: ${parents(info)}\n` : `Parent: ${parents(info)}\n`
  if (info.dependsOn.length > 0) entry += `Also depends on: ${info.dependsOn.join(', ')}\n`
  if (info.isBranchPoint) entry += `Branches into: ${info.nextRevisions.join(', ')}\n`
  if (info.branchLabels.length > 0) entry += `Branch names: ${info.branchLabels.join(', ')}\n`
  entry += `Path: ${info.path ?? ''}\n`
  const doc = info.doc ?? info.message ?? ''
  entry += `\n${doc
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`
  return entry
}

/** The `--json` shape of a revision (SPEC §6). */
export function revisionJson(info: RevisionInfo): Record<string, unknown> {
  const { doc: _doc, ...rest } = info
  return rest
}

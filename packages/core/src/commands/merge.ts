import type { RevisionFormat } from '../config/resolved-config.js'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { type RevisionResult, revision } from './revision.js'

export interface MergeArgs {
  /** The revisions to merge, e.g. `['heads']` or two ids. */
  readonly revisions: readonly string[]
  readonly message?: string | undefined
  readonly branchLabels?: readonly string[] | undefined
  readonly revId?: string | undefined
  /** `ts` or `sql`; default: the config's `revisionFormat`. */
  readonly format?: RevisionFormat | undefined
}

/** `mig merge <revs...>`: a new revision whose `downRevision` lists every given head. */
export async function merge(project: Project, args: MergeArgs): Promise<RevisionResult> {
  if (args.revisions.length === 0)
    throw new CommandError('merge needs the revisions to merge, e.g. `mig merge heads`')
  return revision(project, {
    message: args.message,
    head: args.revisions,
    branchLabels: args.branchLabels,
    revId: args.revId,
    format: args.format,
  })
}

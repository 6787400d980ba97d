import { type StatusEntry, type StatusResult, status } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { duration } from '../reporter.js'
import type { CliState, GlobalArgv } from '../run.js'
import { type FleetArgv, fleetOptions, withFleet } from './fleet.js'

/** `mig status`: every revision, applied `[X]` or pending `[ ]`, per branch, with counts. Read-only. */
export function statusCommand(state: CliState): CommandModule<GlobalArgv, FleetArgv> {
  return {
    command: 'status',
    describe: 'Show every revision, applied [X] (when, by whom, how long) or pending [ ]',
    builder: (y) => fleetOptions(commandHelp(y, 'status')),
    handler: (argv) =>
      withFleet(
        state,
        argv,
        {
          // Per target: where it is, and where an upgrade to the heads would take it.
          work: async (target) => {
            const result = await status(target)
            const heads = result.groups.map((group) => group.head)
            return { from: result.current, to: result.pendingCount === 0 ? result.current : heads }
          },
          writes: false,
        },
        async (project, io) => {
          const result = await status(project)
          if (io.json) return io.printJson(result)
          io.print(formatStatus(result))
        },
      ),
  }
}

/**
 * The text of `mig status`: one line per revision, oldest first; under a heading per head when
 * the graph has several; then the counts.
 */
export function formatStatus(result: StatusResult): string {
  const lines: string[] = []
  const several = result.groups.length > 1
  for (const group of result.groups) {
    if (several) {
      const labels = group.branchLabels.length > 0 ? ` (${group.branchLabels.join(', ')})` : ''
      if (lines.length > 0) lines.push('')
      lines.push(`Branch ${group.head}${labels} (head):`)
    }
    for (const entry of group.revisions) lines.push(`${several ? '  ' : ''}${statusLine(entry)}`)
  }
  if (lines.length > 0) lines.push('')
  lines.push(`applied ${result.appliedCount}, pending ${result.pendingCount}`)
  return lines.join('\n')
}

function statusLine(entry: StatusEntry): string {
  const message = entry.message === null ? '' : `, ${entry.message.split('\n')[0]}`
  if (!entry.applied) return `[ ] ${entry.revision}${message}`
  const facts: string[] = []
  if (entry.appliedAt !== null) facts.push(entry.appliedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))
  if (entry.appliedBy !== null) facts.push(`by ${entry.appliedBy}`)
  if (entry.durationMs !== null && entry.how !== 'stamped') facts.push(`in ${duration(entry.durationMs)}`)
  if (entry.how === 'stamped' || entry.how === 'resolved-applied') facts.push(entry.how)
  return `[X] ${entry.revision}${message}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`
}

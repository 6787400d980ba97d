import { createInterface } from 'node:readline'
import type { ConfirmRequest, RenameCandidate } from '@migraph/core'
import type { Paint } from './color.js'
import type { Streams } from './reporter.js'

/**
 * The confirmation prompt on a terminal: the environment, the target (masked) and the plan, then
 * `[y/N]`; anything but y/yes declines. Undefined when stdin or stderr is not a terminal, so
 * that a write needing confirmation is refused there unless `--yes` is given.
 */
export function terminalConfirm(
  streams: Streams,
  paint: Paint,
  flush: () => void,
): ((request: ConfirmRequest) => Promise<boolean>) | undefined {
  if (process.stdin.isTTY !== true || streams.stderr.isTTY !== true) return undefined
  return async (request) => {
    flush()
    const lines = [
      paint(
        'yellow',
        `Environment ${request.environment === undefined ? '(none)' : `'${request.environment}'`} asks for confirmation.`,
      ),
      `Target database: ${request.database}`,
      ...(request.plan.length === 0
        ? [`Command: mig ${request.command}`]
        : [
            `Plan (${request.plan.length} step${request.plan.length === 1 ? '' : 's'}):`,
            ...request.plan.map(
              (s) =>
                `  ${s.direction === 'up' ? 'upgrade' : 'downgrade'} ${s.from.join(', ')} -> ${s.to.join(', ')}${s.message === '' ? '' : `, ${s.message}`}`,
            ),
          ]),
    ]
    streams.stderr.write(`${lines.join('\n')}\n`)
    return askYesNo(`Proceed with ${request.command}? [y/N] `)
  }
}

/** Asks `question` on the terminal (stdin, stderr); true for y/yes, false for anything else. */
async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr as NodeJS.WritableStream })
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(question, resolve)
      rl.once('close', () => resolve(''))
    })
    return /^(y|yes)$/i.test(answer.trim())
  } finally {
    rl.close()
  }
}

/**
 * The rename question of `mig revision --autogenerate` and `mig diff`, asked for each rename
 * candidate when stdin and stdout are a terminal: `Rename account.name → account.full_name?
 * [y/N]`. Undefined off a terminal, where candidates are reported instead of guessed.
 */
export function terminalRenamePrompt(
  streams: Streams,
  flush: () => void,
): ((candidate: RenameCandidate) => Promise<boolean>) | undefined {
  if (process.stdin.isTTY !== true || streams.stdout.isTTY !== true) return undefined
  return (candidate) => {
    flush()
    return askYesNo(`Rename ${candidate.from} → ${candidate.to}? [y/N] `)
  }
}

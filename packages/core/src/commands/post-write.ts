import type { Project } from '../context.js'
import { HookError } from '../errors.js'

/** A path quoted for a POSIX shell. */
function shellQuote(path: string): string {
  return `'${path.replaceAll("'", `'\\''`)}'`
}

/**
 * Runs the config's `postWrite` commands on a file `revision` or `merge` just wrote (Alembic's
 * `post_write_hooks`): `{file}` becomes the file's quoted path, or the path is appended when the
 * command does not name it. A failure leaves the file in place and says so.
 */
export async function runPostWrite(project: Project, file: string): Promise<void> {
  const commands = project.config.production.postWrite
  if (commands.length === 0) return
  const { runShellCommand } = await import('../runtime/hooks.js')
  for (const template of commands) {
    const command = template.includes('{file}')
      ? template.replaceAll('{file}', shellQuote(file))
      : `${template} ${shellQuote(file)}`
    const env: Record<string, string | undefined> = { ...project.environment.env }
    delete env.MIG_DATABASE_URL
    try {
      await runShellCommand(command, `postWrite hook '${template}'`, 'postWrite', {
        cwd: project.config.baseDir,
        timeoutMs: project.config.production.hookTimeoutMs,
        env,
        output: (line) => project.environment.reporter.info(line),
      })
    } catch (error) {
      if (!(error instanceof HookError)) throw error
      throw new HookError('postWrite', `${error.message}; ${file} was written and left in place`, {
        cause: error,
      })
    }
  }
}

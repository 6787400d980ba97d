import type { OutputStream } from './reporter.js'

/** The few styles `mig` uses. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow'

/** Styles text, or returns it as is when colour is off. */
export type Paint = (style: Style, text: string) => string

// SGR codes, each with the code that ends it (so styles nest). Written here rather than with
// `util.styleText`, which from Node 22.13 checks the stream itself and would drop the colour
// `--color` asks for off a terminal.
const CODES: Readonly<Record<Style, readonly [number, number]>> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
}

/**
 * Whether to colour what goes to `stream`: `--color`/`--no-color` first, then `FORCE_COLOR`
 * (`0` or `false` turn colour off, any other value on, as Node reads it), then `NO_COLOR` (set and
 * not empty: off, see no-color.org), then whether the stream is a terminal other than `dumb`.
 */
export function colorEnabled(
  stream: OutputStream,
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (flag !== undefined) return flag
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stream.isTTY === true && env.TERM !== 'dumb'
}

/**
 * A {@link Paint} that decides on first use: asking a stream whether it is a terminal can cost,
 * and most commands print nothing styled.
 */
export function painter(decide: () => boolean): Paint {
  let enabled: boolean | undefined
  return (style, text) => {
    enabled ??= decide()
    if (!enabled || text === '') return text
    const [open, close] = CODES[style]
    return `\u001b[${open}m${text}\u001b[${close}m`
  }
}

/** Colour off. */
export const plain: Paint = (_style, text) => text

/**
 * The commands `word` is probably a typo of: those at the smallest edit distance (a transposed
 * pair counts as one edit), when that distance is 1, or 2 for a word of six letters or more.
 * Further than that, a suggestion is noise (`seed` is three edits from `heads`).
 */
export function closeCommands(word: string, commands: readonly string[]): string[] {
  const limit = word.length >= 6 ? 2 : 1
  let best = limit + 1
  let found: string[] = []
  for (const command of commands) {
    const distance = editDistance(word, command)
    if (distance < best) {
      best = distance
      found = [command]
    } else if (distance === best) {
      found.push(command)
    }
  }
  return found
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between a's first i characters and b's first j.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  const at = (i: number, j: number) => (rows[i] as number[])[j] as number
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1)
      }
      ;(rows[i] as number[])[j] = distance
    }
  }
  return at(a.length, b.length)
}

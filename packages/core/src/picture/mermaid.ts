import type { RevisionGraph } from './revision-graph.js'
import { clip, LABEL_MESSAGE_LENGTH, nodeClasses, nodeTags, nodeTitle, oneLine } from './text-labels.js'

/**
 * Mermaid's entity codes for the characters that would end or reshape a quoted label. `#` goes
 * first: every other code starts with it.
 */
function mermaidText(text: string): string {
  return text
    .replaceAll('#', '#35;')
    .replaceAll('"', '#quot;')
    .replaceAll('<', '#lt;')
    .replaceAll('>', '#gt;')
    .replaceAll('&', '#amp;')
    .replaceAll('`', '#96;')
}

const CLASS_STYLES: readonly [string, string][] = [
  ['head', 'stroke-width:3px'],
  ['current', 'fill:#d1f2d9,stroke:#1a7f37,stroke-width:3px'],
  ['applied', 'fill:#eef2f7'],
  ['pending', 'fill:#fff,stroke-dasharray:4 3'],
]

/**
 * A Mermaid flowchart of the graph (pastes into GitHub Markdown in a ```mermaid block): base at
 * the bottom, heads on top, as `mig history` lists them. Branch points are hexagons, merge
 * points stadiums; `dependsOn` edges are dotted. Node ids are positional (`r0` is the newest):
 * revision ids may hold characters Mermaid's ids do not allow.
 *
 * @example
 * renderMermaid(graph) // 'flowchart BT\n  r0["b2 (head)<br/>add index"]\n  r1 --> r0\n…'
 */
export function renderMermaid(graph: RevisionGraph): string {
  const idOf = new Map(graph.nodes.map((node, i) => [node.revision, `r${i}`]))
  const lines = ['flowchart BT']
  const byClass = new Map<string, string[]>()
  for (const node of graph.nodes) {
    const id = idOf.get(node.revision) as string
    const tags = nodeTags(node)
    const head = tags.length === 0 ? nodeTitle(node) : `${nodeTitle(node)} (${tags.join(') (')})`
    const doc = clip(oneLine(node.doc), LABEL_MESSAGE_LENGTH)
    const label = doc === '' ? mermaidText(head) : `${mermaidText(head)}<br/>${mermaidText(doc)}`
    const [open, close] = node.isBranchPoint ? ['{{', '}}'] : node.isMergePoint ? ['([', '])'] : ['[', ']']
    lines.push(`  ${id}${open}"${label}"${close}`)
    for (const name of nodeClasses(node)) {
      if (!CLASS_STYLES.some(([c]) => c === name)) continue
      const ids = byClass.get(name) ?? []
      ids.push(id)
      byClass.set(name, ids)
    }
  }
  for (const edge of graph.edges) {
    const arrow = edge.kind === 'depends' ? '-.->' : '-->'
    lines.push(`  ${idOf.get(edge.from)} ${arrow} ${idOf.get(edge.to)}`)
  }
  for (const [name, style] of CLASS_STYLES) {
    const ids = byClass.get(name)
    if (ids === undefined) continue
    lines.push(`  classDef ${name} ${style}`)
    lines.push(`  class ${ids.join(',')} ${name}`)
  }
  return `${lines.join('\n')}\n`
}

import type { GraphNode, RevisionGraph } from './revision-graph.js'
import { clip, LABEL_MESSAGE_LENGTH, nodeClasses, nodeTags, nodeTitle, oneLine } from './text-labels.js'

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n`. */
function quoted(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replace(/\r?\n/g, '\\n')}"`
}

function attributes(node: GraphNode): string {
  const tags = nodeTags(node)
  const head = tags.length === 0 ? nodeTitle(node) : `${nodeTitle(node)} (${tags.join(') (')})`
  const doc = clip(oneLine(node.doc), LABEL_MESSAGE_LENGTH)
  const attrs = [`label=${quoted(doc === '' ? head : `${head}\n${doc}`)}`]
  if (node.message !== '') attrs.push(`tooltip=${quoted(node.message)}`)
  if (node.isBranchPoint) attrs.push('shape=hexagon')
  else if (node.isMergePoint) attrs.push('shape=octagon')
  if (node.isHead || node.state === 'current') attrs.push('penwidth=2.5')
  if (node.state === 'current') attrs.push('fillcolor="#d1f2d9"', 'color="#1a7f37"')
  else if (node.state === 'applied') attrs.push('fillcolor="#eef2f7"')
  else if (node.state === 'pending') attrs.push('style="rounded,dashed,filled"')
  const classes = nodeClasses(node)
  if (classes.length > 0) attrs.push(`class=${quoted(classes.join(' '))}`)
  return attrs.join(', ')
}

/**
 * A Graphviz digraph of the graph (`dot -Tsvg`): base at the bottom, heads on top. Branch points
 * are hexagons, merge points octagons, `dependsOn` edges dashed; a node's whole message is its
 * tooltip.
 *
 * @example
 * renderDot(graph) // 'digraph migraph {\n  rankdir=BT;\n  …\n  "a1" -> "b2";\n}\n'
 */
export function renderDot(graph: RevisionGraph): string {
  const lines = [
    'digraph migraph {',
    '  rankdir=BT;',
    '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];',
    '  edge [arrowsize=0.7];',
  ]
  for (const node of graph.nodes) lines.push(`  ${quoted(node.revision)} [${attributes(node)}];`)
  for (const edge of graph.edges) {
    const style = edge.kind === 'depends' ? ' [style=dashed]' : ''
    lines.push(`  ${quoted(edge.from)} -> ${quoted(edge.to)}${style};`)
  }
  lines.push('}')
  return `${lines.join('\n')}\n`
}

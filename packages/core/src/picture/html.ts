import { laneLayout, type NodePlace } from './lane-layout.js'
import type { GraphNode, RevisionGraph } from './revision-graph.js'
import { clip, nodeClasses, nodeTags, nodeTitle, oneLine } from './text-labels.js'

const ROW = 28
const LANE = 18
const PAD = 16
const RADIUS = 6
/** Characters of message drawn beside a node; the whole message is its hover text. */
const MESSAGE_LENGTH = 90

/** Text as XML character data or a double-quoted attribute value. */
function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: #1f2328; background: #fff; }
header { padding: 12px 16px; border-bottom: 1px solid #d0d7de; }
header h1 { font-size: 16px; margin: 0 0 4px; }
.legend span { margin-right: 14px; white-space: nowrap; }
.legend svg { vertical-align: middle; }
svg.graph { display: block; }
.edge { fill: none; stroke: #8c959f; stroke-width: 1.5; }
.edge.depends { stroke: #bf8700; stroke-dasharray: 5 4; }
.rev .mark { fill: #0969da; stroke: #0550ae; stroke-width: 1.5; }
.rev.head .mark { stroke: #1f2328; stroke-width: 3; }
.rev.applied .mark { fill: #57606a; stroke: #32383f; }
.rev.current .mark { fill: #1a7f37; stroke: #0f5323; stroke-width: 3; }
.rev.pending .mark { fill: #fff; stroke: #0969da; stroke-dasharray: 3 2; }
.rev .id { font: 600 12px ui-monospace, monospace; }
.rev .labels { fill: #8250df; }
.rev .tags { fill: #57606a; font-style: italic; }
.rev.current .tags { fill: #1a7f37; font-weight: 600; }
.rev.pending .tags { fill: #bc4c00; }
.rev .msg { fill: #424a53; }
.rev:hover .msg { fill: #0969da; }
`

/** The marker of a node: a diamond at a branch point, a square at a merge, else a circle. */
function mark(node: GraphNode, x: number, y: number): string {
  if (node.isBranchPoint) {
    const r = RADIUS + 1.5
    return `<polygon class="mark" points="${x},${y - r} ${x + r},${y} ${x},${y + r} ${x - r},${y}"/>`
  }
  if (node.isMergePoint) {
    return `<rect class="mark" x="${x - RADIUS}" y="${y - RADIUS}" width="${2 * RADIUS}" height="${2 * RADIUS}"/>`
  }
  return `<circle class="mark" cx="${x}" cy="${y}" r="${RADIUS}"/>`
}

function hoverText(node: GraphNode): string {
  const lines = [nodeTitle(node)]
  const tags = nodeTags(node)
  if (tags.length > 0) lines.push(tags.join(', '))
  if (node.message !== '') lines.push('', node.message)
  return lines.join('\n')
}

function legend(graph: RevisionGraph): string {
  const sample = (cls: string, shape = 'circle') => {
    const body =
      shape === 'diamond'
        ? '<polygon class="mark" points="8,1 15,8 8,15 1,8"/>'
        : shape === 'square'
          ? '<rect class="mark" x="2" y="2" width="12" height="12"/>'
          : '<circle class="mark" cx="8" cy="8" r="6"/>'
    return `<svg width="16" height="16" aria-hidden="true"><g class="rev ${cls}">${body}</g></svg>`
  }
  const heads = graph.nodes.filter((n) => n.isHead).length
  const items = [
    `<span>${graph.nodes.length} revision(s), ${heads} head(s)</span>`,
    `<span>${sample('head')} head</span>`,
    `<span>${sample('', 'diamond')} branch point</span>`,
    `<span>${sample('', 'square')} merge point</span>`,
    '<span><svg width="28" height="8" aria-hidden="true"><path class="edge depends" d="M0,4 L28,4"/></svg> depends on</span>',
  ]
  if (graph.current !== undefined) {
    const pending = graph.nodes.filter((n) => n.state === 'pending').length
    const current = graph.current.length === 0 ? 'none (empty database)' : graph.current.join(', ')
    items.push(
      `<span>${sample('current')} current: ${xml(current)}</span>`,
      `<span>${sample('applied')} applied</span>`,
      `<span>${sample('pending')} pending: ${pending}</span>`,
    )
  }
  return `<div class="legend">${items.join('')}</div>`
}

/**
 * A self-contained HTML page (inline SVG and CSS, no script, nothing fetched: its
 * Content-Security-Policy forbids it) drawing the graph newest first, one row per revision, as
 * `git log --graph` does. Hovering a revision shows its whole message.
 *
 * @example
 * writeFileSync('graph.html', renderHtml(graph))
 */
export function renderHtml(graph: RevisionGraph, title = 'migraph revision graph'): string {
  const layout = laneLayout(graph)
  const textX = PAD + layout.lanes * LANE + 8
  const x = (lane: number) => PAD + lane * LANE + LANE / 2
  const y = (row: number) => PAD + row * ROW + ROW / 2
  const parts: string[] = []
  let longest = 0
  for (const route of layout.routes) {
    const d = route.points.map(([lane, row], i) => `${i === 0 ? 'M' : 'L'}${x(lane)},${y(row)}`).join(' ')
    parts.push(
      `<path class="edge ${route.edge.kind}" data-from="${xml(route.edge.from)}" data-to="${xml(route.edge.to)}" d="${d}"/>`,
    )
  }
  for (const node of graph.nodes) {
    const place = layout.places.get(node.revision) as NodePlace
    const cx = x(place.lane)
    const cy = y(place.row)
    const labels = node.branchLabels.length === 0 ? '' : ` (${node.branchLabels.join(', ')})`
    const tags = nodeTags(node)
    const tagText = tags.length === 0 ? '' : ` ${tags.join(' ')}`
    const message = clip(oneLine(node.doc), MESSAGE_LENGTH)
    longest = Math.max(longest, node.revision.length + labels.length + tagText.length + message.length + 2)
    const classes = ['rev', ...nodeClasses(node)].join(' ')
    parts.push(
      `<g class="${classes}" data-revision="${xml(node.revision)}"><title>${xml(hoverText(node))}</title>` +
        mark(node, cx, cy) +
        `<text x="${textX}" y="${cy + 4}"><tspan class="id">${xml(node.revision)}</tspan>` +
        (labels === '' ? '' : `<tspan class="labels">${xml(labels)}</tspan>`) +
        (tagText === '' ? '' : `<tspan class="tags">${xml(tagText)}</tspan>`) +
        (message === '' ? '' : `<tspan class="msg" dx="8">${xml(message)}</tspan>`) +
        '</text></g>',
    )
  }
  const width = Math.ceil(textX + longest * 7.5 + PAD)
  const height = PAD * 2 + graph.nodes.length * ROW
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${xml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${xml(title)}</h1>${legend(graph)}</header>
<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${xml(title)}">
${parts.join('\n')}
</svg>
</body>
</html>
`
}

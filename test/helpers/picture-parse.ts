// Reads the nodes and edges back out of `mig graph`'s three formats, so tests compare pictures
// structurally rather than as text.

/** A picture's structure: revision ids, and edges as `from->to` (downRevision) or `from..>to` (dependsOn). */
export interface PictureShape {
  readonly nodes: readonly string[]
  readonly edges: readonly string[]
  /** Per revision, the classes or shape words the picture gives it. */
  readonly marks: ReadonlyMap<string, readonly string[]>
}

const edgeKey = (from: string, to: string, depends: boolean) => `${from}${depends ? '..>' : '->'}${to}`

/** Mermaid: `r0["id (tags)<br/>doc"]` nodes, `r1 --> r0` / `r1 -.-> r0` edges, `class r0,r1 name`. */
export function mermaidShape(text: string): PictureShape {
  const lines = text.split('\n')
  if (lines[0] !== 'flowchart BT') throw new Error(`not a Mermaid flowchart: ${lines[0]}`)
  const idOf = new Map<string, string>()
  const marks = new Map<string, string[]>()
  const edges: string[] = []
  for (const line of lines) {
    const node = /^ {2}(r\d+)(\[|\{\{|\(\[)"([^"\s<]+)[ "<]/.exec(line)
    if (node !== null) {
      const [, key, open, revision] = node as unknown as [string, string, string, string]
      idOf.set(key, revision)
      marks.set(revision, [open === '{{' ? 'hexagon' : open === '([' ? 'stadium' : 'box'])
      continue
    }
    const edge = /^ {2}(r\d+) (-->|-\.->) (r\d+)$/.exec(line)
    if (edge !== null) {
      edges.push(
        edgeKey(idOf.get(edge[1] as string) ?? '?', idOf.get(edge[3] as string) ?? '?', edge[2] === '-.->'),
      )
      continue
    }
    const cls = /^ {2}class ([\w,]+) (\w+)$/.exec(line)
    if (cls !== null) {
      for (const key of (cls[1] as string).split(',')) marks.get(idOf.get(key) ?? '?')?.push(cls[2] as string)
    }
  }
  return { nodes: [...idOf.values()], edges, marks }
}

/** Graphviz DOT: `"id" [label=…, class="head base"];` and `"a" -> "b" [style=dashed];`. */
export function dotShape(text: string): PictureShape {
  if (!text.startsWith('digraph migraph {\n') || !text.endsWith('}\n')) throw new Error('not a digraph')
  const nodes: string[] = []
  const marks = new Map<string, string[]>()
  const edges: string[] = []
  for (const line of text.split('\n')) {
    const edge = /^ {2}"([^"]+)" -> "([^"]+)"( \[style=dashed\])?;$/.exec(line)
    if (edge !== null) {
      edges.push(edgeKey(edge[1] as string, edge[2] as string, edge[3] !== undefined))
      continue
    }
    const node = /^ {2}"([^"]+)" \[(.*)\];$/.exec(line)
    if (node !== null) {
      nodes.push(node[1] as string)
      const attrs = node[2] as string
      const shape = /shape=(\w+)/.exec(attrs)?.[1] ?? 'box'
      const classes = /class="([^"]*)"/.exec(attrs)?.[1]?.split(' ') ?? []
      marks.set(node[1] as string, [shape, ...classes])
    }
  }
  return { nodes, edges, marks }
}

function unescapeXml(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
}

/** The HTML page: `<g class="rev …" data-revision>` nodes, `<path class="edge down|depends">` edges. */
export function htmlShape(text: string): PictureShape {
  const nodes: string[] = []
  const marks = new Map<string, string[]>()
  const edges: string[] = []
  for (const m of text.matchAll(/<g class="rev([^"]*)" data-revision="([^"]+)">/g)) {
    const revision = unescapeXml(m[2] as string)
    nodes.push(revision)
    marks.set(revision, (m[1] as string).trim().split(' ').filter(Boolean))
  }
  for (const m of text.matchAll(/<path class="edge (down|depends)" data-from="([^"]+)" data-to="([^"]+)"/g)) {
    edges.push(edgeKey(unescapeXml(m[2] as string), unescapeXml(m[3] as string), m[1] === 'depends'))
  }
  return { nodes, edges, marks }
}

/** Sorted copies, for order-free comparison. */
export const sorted = (items: readonly string[]): string[] => [...items].sort()

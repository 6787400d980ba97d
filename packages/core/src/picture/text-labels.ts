import type { GraphNode } from './revision-graph.js'

/** How long a message may run beside a node before it is cut (the whole text is on hover). */
export const LABEL_MESSAGE_LENGTH = 60

/** One line of text: runs of whitespace (newlines included) become a space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** `text`, cut to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** `ae10 (billing)`: the id, then the labels the revision declares. */
export function nodeTitle(node: GraphNode): string {
  return node.branchLabels.length === 0 ? node.revision : `${node.revision} (${node.branchLabels.join(', ')})`
}

/** What a node's state and position add to its label: `head`, `current`, `pending`. */
export function nodeTags(node: GraphNode): readonly string[] {
  const tags: string[] = []
  if (node.isHead) tags.push('head')
  if (node.isBranchPoint) tags.push('branchpoint')
  if (node.isMergePoint) tags.push('mergepoint')
  if (node.state === 'current' || node.state === 'pending') tags.push(node.state)
  return tags
}

/** The classes a node carries in every format, for styling and for tests. */
export function nodeClasses(node: GraphNode): readonly string[] {
  const classes: string[] = []
  if (node.isHead) classes.push('head')
  if (node.isBase) classes.push('base')
  if (node.isBranchPoint) classes.push('branchpoint')
  if (node.isMergePoint) classes.push('mergepoint')
  if (node.state !== undefined) classes.push(node.state)
  return classes
}

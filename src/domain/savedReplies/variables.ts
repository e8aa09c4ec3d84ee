/*
 * The variables of a saved reply, written `{{customer.firstName}}` in its text, filled in for one
 * conversation when an agent inserts it. Values are HTML-escaped (a customer named
 * `<b>Bo</b>` stays text); a name that is not a variable is left as typed, so a typo shows in
 * the editor instead of vanishing.
 */

export const SAVED_REPLY_VARIABLES = [
  'customer.firstName',
  'customer.name',
  'agent.name',
  'agent.firstName',
  'conversation.number',
  'conversation.statusLink',
] as const

export type SavedReplyVariable = (typeof SAVED_REPLY_VARIABLES)[number]

/** What the variables stand for in one conversation, as plain text (escaped when filled in). */
export interface VariableValues {
  customerName: string
  agentName: string
  conversationNumber: number
  /** The customer's status page, the link their e-mails carry. */
  statusUrl: string
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** The first word of a name ("Ann Marie Dupont" → "Ann"); '' for no name. */
export const firstNameOf = (name: string) => name.trim().split(/\s+/)[0] ?? ''

/** Each variable's HTML: escaped text, the status link as a link (e-mails and the editor show it clickable). */
function variableHtml(values: VariableValues): Record<SavedReplyVariable, string> {
  const url = escapeHtml(values.statusUrl)
  return {
    'customer.firstName': escapeHtml(firstNameOf(values.customerName)),
    'customer.name': escapeHtml(values.customerName.trim()),
    'agent.name': escapeHtml(values.agentName.trim()),
    'agent.firstName': escapeHtml(firstNameOf(values.agentName)),
    'conversation.number': String(values.conversationNumber),
    'conversation.statusLink': `<a href="${url}">${url}</a>`,
  }
}

const isVariable = (name: string): name is SavedReplyVariable => (SAVED_REPLY_VARIABLES as readonly string[]).includes(name)

/**
 * `{{ name }}` (spaces inside the braces allowed). An empty value also takes the space before it
 * when punctuation or the end of the line follows, so "Hello {{customer.firstName}}," becomes
 * "Hello," for a customer without a name, not "Hello ,".
 */
const VARIABLE = /( ?)\{\{\s*([A-Za-z]+\.[A-Za-z]+)\s*\}\}(?=([,.;:!?)]|<|$)?)/g

/** The saved reply's HTML with its variables filled in for one conversation. */
export function fillVariables(html: string, values: VariableValues): string {
  const filled = variableHtml(values)
  return html.replace(VARIABLE, (whole, space: string, name: string, closing: string | undefined) => {
    if (!isVariable(name)) return whole
    const value = filled[name]
    if (value === '' && closing !== undefined) return ''
    return space + value
  })
}

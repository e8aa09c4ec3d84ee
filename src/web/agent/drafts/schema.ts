import { z } from 'zod'

/** What drafts.js sends as the agent types: the editor's HTML and its plain text. */
export const draftBody = z.object({
  html: z.string().optional(),
  text: z.string().optional(),
})

/**
 * The reply form posted with its "Save draft" button. The editor empties its plain-text box when
 * it sends its HTML, so text in that box means no script ran: the box is the draft, not the HTML
 * of the draft the page was opened with.
 */
export const draftForm = draftBody.transform((form) => (form.text?.trim() ? { html: '', text: form.text } : form))

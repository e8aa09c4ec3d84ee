import type { DomainContext } from '../domain/context.ts'
import type { TransactionalReaction } from '../domain/events/record.ts'
import { RENDER_EMAILS, renderPendingEmails } from '../mail/outbound/renderOutbox.ts'

/**
 * Renders the e-mails a change wrote as templates, once it has committed: so that when a command
 * returns its e-mails are written out, without having rendered them under its row locks. Whatever
 * this misses (a crash, an error) the delivery worker renders before sending.
 */
export function renderEmails(ctx: Pick<DomainContext, 'prisma'>): TransactionalReaction {
  return {
    name: RENDER_EMAILS,
    async inTransaction() {},
    async afterCommit() {
      // The change is committed: a failure here must not make its command fail.
      await renderPendingEmails(ctx.prisma).catch(() => {})
    },
  }
}

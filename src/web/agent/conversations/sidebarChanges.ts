import { conversationView } from './renderPage.ts'
import type { Request, Response } from 'express'
import type { FilterOptions } from '../../../domain/conversations/filterOptions.ts'
import { languageName } from '../../../i18n/catalogues.ts'
import type { Message, Translate } from '../../../i18n/translate.ts'
import type { AppContext } from '../../context.ts'
import { flash, type Undo } from '../../middleware/flash.ts'

/**
 * What one action of the conversation sidebar did, in words, and how to take it back: the inverse
 * change, posted to the same address and made by the same command (so it is in the history like
 * any change). `undo` is null where there is nothing to take back.
 */
export interface SidebarChange {
  kind: 'success' | 'info'
  message: Message
  undo: Undo | null
  /** The conversation left the agent's folders: its page is gone for them, and so is any undo. */
  gone?: boolean
}

const UNDOING = { undoing: '1' }
const unchanged: SidebarChange = { kind: 'info', message: { key: 'conversation.sidebar.unchanged' }, undo: null }

/** The names a message gives: those of the agent's menus (folders in their scope, tags, active agents). */
type Names = Pick<FilterOptions, 'folders' | 'tags' | 'agents'>
const nameIn = (list: { id: number; name: string }[], id: number) => list.find((x) => x.id === id)?.name ?? '?'

type Status = 'new' | 'open' | 'pending' | 'closed'

export function statusChange(t: Translate, href: string, from: Status, to: Status): SidebarChange {
  if (from === to) return unchanged
  return {
    kind: 'success',
    message: { key: 'conversation.sidebar.statusSet', values: { status: t(`status.${to}`) } },
    undo: { action: `${href}/status`, fields: { status: from, ...UNDOING } },
  }
}

export function assignChange(names: Names, me: number, href: string, from: number | null, to: number | null): SidebarChange {
  if (from === to) return unchanged
  const message: Message =
    to === null
      ? { key: 'conversation.sidebar.unassigned' }
      : to === me
        ? { key: 'conversation.sidebar.assignedToYou' }
        : { key: 'conversation.sidebar.assigned', values: { name: nameIn(names.agents, to) } }
  return { kind: 'success', message, undo: { action: `${href}/assign`, fields: { assigneeId: from === null ? '' : String(from), ...UNDOING } } }
}

type Placement = { folderId: number; assigneeId: number | null }

/** A move; the Undo moves it back and gives it back to an assignee the move took it from. */
export function moveChange(names: Names, href: string, number: number, from: Placement, to: Placement, stillVisible: boolean): SidebarChange {
  if (from.folderId === to.folderId) return unchanged
  const folder = nameIn(names.folders, to.folderId)
  if (!stillVisible)
    return { kind: 'success', message: { key: 'conversation.sidebar.movedAway', values: { number: String(number), folder } }, undo: null, gone: true }
  const dropped = from.assigneeId !== null && to.assigneeId === null
  return {
    kind: 'success',
    message: dropped
      ? { key: 'conversation.sidebar.movedUnassigned', values: { folder, name: nameIn(names.agents, from.assigneeId!) } }
      : { key: 'conversation.sidebar.moved', values: { folder } },
    undo: {
      action: `${href}/move`,
      fields: { folderId: String(from.folderId), ...(dropped ? { assigneeId: String(from.assigneeId) } : {}), ...UNDOING },
    },
  }
}

export function tagChange(names: Names, href: string, tagId: number, added: boolean, changed: boolean): SidebarChange {
  if (!changed) return unchanged
  const tag = nameIn(names.tags, tagId)
  return added
    ? { kind: 'success', message: { key: 'conversation.sidebar.tagAdded', values: { tag } }, undo: { action: `${href}/tags/${tagId}/remove`, fields: UNDOING } }
    : {
        kind: 'success',
        message: { key: 'conversation.sidebar.tagRemoved', values: { tag } },
        undo: { action: `${href}/tags`, fields: { tagId: String(tagId), ...UNDOING } },
      }
}

/**
 * The customer's language has no Undo: the choice stays in view in its own select, where
 * choosing again is the same one step, and nothing is sent when it changes.
 */
export function languageChange(locale: string): SidebarChange {
  return locale
    ? { kind: 'success', message: { key: 'conversation.sidebar.languageSet', values: { language: languageName(locale) } }, undo: null }
    : { kind: 'success', message: { key: 'conversation.sidebar.languageOfFolder' }, undo: null }
}

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json'

function renderPartial(res: Response, view: string, data: object): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, data, (err, html) => (err ? reject(err) : resolve(html))))
}

/**
 * Answers a sidebar action. A form posted by the browser alone gets a 303 to the conversation and
 * a flash with an Undo form; the page's script (Accept: application/json) gets the message, the
 * undo and the sidebar drawn anew, to put in place. An undo is answered with "Undone: …" and no
 * undo of its own.
 */
export async function answerSidebarChange(ctx: AppContext, req: Request, res: Response, number: number, change: SidebarChange, undoing: boolean) {
  const undone = undoing && change.undo !== null
  const text = req.t(change.message.key, change.message.values)
  const message: Message = undone ? { key: 'conversation.sidebar.undone', values: { change: text } } : change.message
  const undo = undone ? null : change.undo
  const back = change.gone ? '/conversations' : `/conversations/${number}`
  if (!wantsJson(req)) {
    flash(req, change.kind, message.key, message.values, { undo })
    return res.redirect(303, back)
  }
  if (change.gone) {
    // The list says it once the script has gone there.
    flash(req, change.kind, message.key, message.values)
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())))
    return res.json({ kind: change.kind, message: req.t(message.key, message.values), undo: null, location: back })
  }
  // The sidebar holds the team tools' cards too (snooze, merge, follow, similar, copies).
  const page = await conversationView(ctx, req, number)
  res.json({
    kind: change.kind,
    message: req.t(message.key, message.values),
    undo,
    sidebar: await renderPartial(res, 'partials/conversation-sidebar', page),
    statusBadge: await renderPartial(res, 'partials/status-badge', { status: page.conversation.status }),
    folder: page.conversation.folder.name,
  })
}

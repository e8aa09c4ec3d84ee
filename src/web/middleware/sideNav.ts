import type { NextFunction, Request, Response } from 'express'
import { folderWorkloads, type FolderWorkload } from '../../domain/folders/folderWorkload.ts'
import { scopeOf } from '../../domain/policy.ts'
import type { Actor } from '../../domain/actor.ts'
import type { AppContext } from '../context.ts'
import { lastListHref } from '../agent/list/lastList.ts'
import type { Reader } from '../presenters/conversationRow.ts'

export interface SideNav {
  folders: { id: number; name: string; href: string; current: boolean; count: { text: string; label: string } | null }[]
  allHref: string
  allCurrent: boolean
}

/** The folder links keep the list's tab; each badge counts the work waiting for the team. */
export function presentSideNav(folders: FolderWorkload[], current: { tab?: string; folder?: number; onList?: boolean }, { t, fmt }: Reader): SideNav {
  const tab = typeof current.tab === 'string' && /^[a-z]{1,12}$/.test(current.tab) ? current.tab : 'new'
  return {
    allHref: `/conversations?tab=${tab}`,
    allCurrent: current.onList !== false && current.folder === undefined,
    folders: folders.map((f) => ({
      id: f.id,
      name: f.name,
      href: `/conversations?tab=${tab}&folder=${f.id}`,
      current: current.folder === f.id,
      count:
        f.toHandle === 0
          ? null
          : f.atLeast
            ? { text: t('list.count.atLeast', { count: f.toHandle }), label: t('layout.sidenav.toHandleAtLeast', { count: f.toHandle }) }
            : { text: fmt.number(f.toHandle), label: t('layout.sidenav.toHandle', { count: f.toHandle }) },
    })),
  }
}

/**
 * The left column of the list and conversation pages. Its statement starts with the request and
 * runs beside the page's own; rendering waits for it, so the page costs no extra round trip.
 * A failure leaves the column out rather than the page (the page's own queries say what is wrong).
 */
export function sideNav(ctx: AppContext) {
  const workloads = workloadCache(ctx)
  return (req: Request, res: Response, next: NextFunction) => {
    const agent = req.agent
    if (!agent || req.method !== 'GET' || !isNavPage(req.path)) return next()
    const folder = Number(req.query.folder)
    const current = { tab: typeof req.query.tab === 'string' ? req.query.tab : undefined, folder: Number.isInteger(folder) && folder > 0 ? folder : undefined }
    const loading = workloads(agent).catch(() => null)
    type Callback = (err: Error, html: string) => void
    const render = res.render.bind(res) as (view: string, options?: object, callback?: Callback) => void
    res.render = ((view: string, options?: object | Callback, callback?: Callback) => {
      const locals = typeof options === 'object' ? (options as { conversation?: { folder?: { id?: number } } }) : {}
      // On a conversation page, its folder is the current one.
      const shown = { ...current, folder: current.folder ?? locals.conversation?.folder?.id, onList: req.path === '/conversations' }
      void loading.then((folders) => {
        res.locals.sideNav = folders && presentSideNav(folders, shown, { t: req.t, fmt: req.formats })
        // The list beside a conversation on wide screens (split-view.js) is the one the agent came from.
        if (!shown.onList) res.locals.listHref = lastListHref(req)
        if (typeof options === 'function') render(view, {}, options as Callback)
        else render(view, options, callback)
      })
    }) as Response['render']
    next()
  }
}

/** The list and a conversation (not its sub-pages, fragments or forms). */
const isNavPage = (path: string) => path === '/conversations' || /^\/conversations\/\d{1,10}$/.test(path)

/** How long folder counts are reused when nothing happens (a change anywhere forgets them at once). */
const WORKLOAD_TTL_MS = 10_000

/**
 * Folder counts per folder scope (every admin shares one entry; agents with the same folders
 * another). Any conversation change, on this instance or another (the event bus reaches every
 * instance), forgets them all, so a count is never older than the last change it could miss.
 */
function workloadCache(ctx: AppContext) {
  const cache = new Map<string, { at: number; folders: Promise<FolderWorkload[]> }>()
  ctx.events.subscribe((event) => {
    if (event.type !== 'presence.changed') cache.clear()
  })
  return (agent: Actor): Promise<FolderWorkload[]> => {
    const scope = scopeOf(agent)
    const key = scope === null ? '*' : scope.join(',')
    const now = Date.now()
    const hit = cache.get(key)
    if (hit && now - hit.at < WORKLOAD_TTL_MS) return hit.folders
    const folders = folderWorkloads(ctx.db, agent)
    cache.set(key, { at: now, folders })
    // A failed count is not kept.
    folders.catch(() => cache.delete(key))
    return folders
  }
}

import type { TestApp } from './testApp.ts'

export interface RouteEntry {
  method: string
  path: string
}

/**
 * Every route of the app, read from the Express router itself (not a hand-written list). A router
 * mounted under a path says so (`mountPath`, the API's): its routes are listed with it.
 */
export function enumerateRoutes(app: TestApp['app']): RouteEntry[] {
  const out: RouteEntry[] = []
  type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: unknown[]; mountPath?: string } }
  const walk = (stack: Layer[], base: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of ([] as string[]).concat(layer.route.path))
          for (const method of Object.keys(layer.route.methods)) out.push({ method, path: base + path })
      } else if (layer.handle?.stack) walk(layer.handle.stack as Layer[], base + (layer.handle.mountPath ?? ''))
    }
  }
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '')
  return out
}

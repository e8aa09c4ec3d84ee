import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository, where the tools and the server are started from. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `probe` until it gives a value; the error says what was awaited and, if given, the state then. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  state?: () => string,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => null)
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${state ? `\n${state()}` : ''}`)
    await sleep(everyMs)
  }
}

export interface Child {
  process: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Signals the whole process group (npx, tsx and node). */
  signal(signal: NodeJS.Signals): void
}

/** Runs a TypeScript entry point of the repository (the server, a tool) in a process group of its own. */
export function spawnTool(args: string[], env: Record<string, string>, onStdout?: (text: string) => void): Child {
  const child = spawn('npx', ['tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    output += d
    onStdout?.(d)
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return {
    process: child,
    output: () => output,
    exited,
    signal(signal) {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // Already gone.
      }
    },
  }
}

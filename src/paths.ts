import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The folder that holds package.json, views/, public/ and prisma/. Found by walking up from this
 * module rather than by a fixed relative path, because the same code runs from src/ (tsx, tests)
 * and bundled from dist/ (`npm start`).
 */
function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('package.json not found above the application code')
    dir = parent
  }
  return dir
}

export const projectRoot = findProjectRoot()

/** A path inside the project, e.g. fromRoot('views', 'mail'). */
export const fromRoot = (...parts: string[]) => path.join(projectRoot, ...parts)

// Adds or changes texts in every catalogue at once, keeping each file's order (the language's
// name first, then the keys sorted), so that a new text never exists in one language only.
//   npm run messages -- <key> <English> <French>
//   npm run messages -- --json file.json     ({ "key": ["English", "French"], … })
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const DIR = path.join(import.meta.dirname, '..', 'locales')
const LANGUAGES = ['en', 'fr'] as const
const META = ['language.name', 'language.iso6393']

function texts(args: string[]): Record<string, string[]> {
  if (args[0] === '--json' && args[1]) return JSON.parse(readFileSync(args[1], 'utf8')) as Record<string, string[]>
  const [key, ...values] = args
  if (!key || values.length !== LANGUAGES.length) {
    console.error(`usage: npm run messages -- <key> ${LANGUAGES.map((l) => `<${l}>`).join(' ')} | --json file.json`)
    process.exit(2)
  }
  return { [key]: values }
}

const changes = texts(process.argv.slice(2))
LANGUAGES.forEach((language, i) => {
  const file = path.join(DIR, `${language}.json`)
  const catalogue = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
  for (const [key, values] of Object.entries(changes)) {
    if (typeof values[i] !== 'string') throw new Error(`${key}: no ${language} text`)
    catalogue[key] = values[i]
  }
  const keys = Object.keys(catalogue)
    .filter((k) => !META.includes(k))
    .sort()
  const ordered = Object.fromEntries([...META, ...keys].filter((k) => k in catalogue).map((k) => [k, catalogue[k]]))
  writeFileSync(file, `${JSON.stringify(ordered, null, 2)}\n`)
})
console.log(`${Object.keys(changes).length} text(s) set in ${LANGUAGES.join(', ')}`)

import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * A real-world corpus of e-mails: others' test data, not shipped with the project. Its folder is
 * given in MAIL_CORPUS (CI sets it); without it the suites that read it say so and do not run,
 * and the project's own messages (tests/fixtures/mail) are tested on every machine.
 */
export const MAIL_CORPUS: string | null = process.env.MAIL_CORPUS ? path.resolve(process.env.MAIL_CORPUS) : null

export const corpusPresent = MAIL_CORPUS !== null && existsSync(path.join(MAIL_CORPUS, 'CATALOG.tsv'))

export function announceCorpusAbsent(suite: string) {
  if (!corpusPresent)
    console.log(
      `Not run here: ${suite} (needs the real-world mail corpus: set MAIL_CORPUS to its folder${MAIL_CORPUS ? `; ${MAIL_CORPUS} has no CATALOG.tsv` : ''}). CI runs it.`,
    )
}

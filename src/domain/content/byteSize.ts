import type { MessageValues } from '../../i18n/translate.ts'

/**
 * A size in the unit people read it in (900 B, 12 KB, 8.5 MB), as the values of a message:
 * `sizeValues('max', n)` gives `max` and `maxUnit`, which a message shows as
 * `{max, number} {maxUnit, select, MB {MB} KB {KB} other {B}}` in its own language.
 */
export function sizeValues(name: string, bytes: number): MessageValues {
  if (bytes < 1024) return { [name]: bytes, [`${name}Unit`]: 'B' }
  if (bytes < 1024 * 1024) return { [name]: Math.round(bytes / 1024), [`${name}Unit`]: 'KB' }
  return { [name]: Math.round((bytes / 1024 / 1024) * 10) / 10, [`${name}Unit`]: 'MB' }
}

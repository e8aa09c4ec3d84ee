import type { MergeOptions } from '../../../domain/conversations/mergeOptions.ts'

/** What views/partials/team/merge-header.ejs and merge-sidebar.ejs read as `extras.merge`. */
export function presentMergeExtras({ mergedInto, candidates }: MergeOptions) {
  return {
    mergedInto: mergedInto && { ...mergedInto, href: `/conversations/${mergedInto.number}` },
    candidates,
  }
}

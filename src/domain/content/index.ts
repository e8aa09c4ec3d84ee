export { embedYouTubeLinks, htmlToText, sanitizeMessageHtml, textToHtml, youTubeIdFrom } from './sanitize.ts'
export {
  extractDataImages,
  MAX_INLINE_IMAGES,
  replaceImageSources,
  type ExtractedImages,
  type InlineImage,
  type RejectedImage,
  type RejectedImageCode,
} from './inlineImages.ts'
export { toEmailHtml } from './emailHtml.ts'

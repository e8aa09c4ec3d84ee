import type { Response } from 'express'
import { INLINE_IMAGE_TYPES } from '../domain/attachments/storeAttachment.ts'

/** RFC 6266 / 5987: an ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`
}

/**
 * Sends a stored file. Only plain raster images are shown in the page; everything else (SVG and
 * HTML included) is a download the browser neither renders nor sniffs, under a sandboxing CSP.
 */
export function sendAttachment(res: Response, a: { fileName: string; mimeType: string }, data: Buffer, forceDownload: boolean) {
  const inline = INLINE_IMAGE_TYPES.has(a.mimeType)
  res.setHeader('Content-Type', inline ? a.mimeType : 'application/octet-stream')
  res.setHeader('Content-Disposition', contentDisposition(inline && !forceDownload ? 'inline' : 'attachment', a.fileName))
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox")
  res.setHeader('Cache-Control', 'private, max-age=3600')
  res.setHeader('Content-Length', String(data.length))
  res.end(data)
}

import { describe, expect, it } from 'vitest'
import { extractDataImages, MAX_INLINE_IMAGES, replaceImageSources, sanitizeMessageHtml } from '../../../src/domain/content/index.ts'
import { translate } from '../../../src/i18n/translate.ts'

// A real 1×1 RGBA PNG (signature, IHDR, one IDAT, IEND, all with valid CRCs).
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
  0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02, 0x87,
  0x01, 0x80, 0xeb, 0x47, 0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
])

// The classic smallest transparent GIF89a: 1×1, one-colour table, one image block.
const GIF = Buffer.from([
  0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00,
  0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x01, 0x44, 0x00, 0x3b,
])

const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><rect width="1" height="1"/></svg>')
const HTML = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')

const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`

describe('extractDataImages', () => {
  it('takes a real PNG and a real GIF out of the HTML and points the images to cid:inline-N', async () => {
    const html = sanitizeMessageHtml(`<p>One <img src="${dataUrl(PNG)}" alt="dot"></p><p><img src="${dataUrl(GIF, 'image/gif')}"></p>`)
    const result = await extractDataImages(html, 1024)
    expect(result.html).toBe('<p>One <img src="cid:inline-1" alt="dot" /></p><p><img src="cid:inline-2" /></p>')
    expect(result.images).toEqual([
      { contentId: 'inline-1', data: PNG, mimeType: 'image/png' },
      { contentId: 'inline-2', data: GIF, mimeType: 'image/gif' },
    ])
    expect(result.rejected).toEqual([])
  })

  it('trusts the bytes, not the type the data: URL claims', async () => {
    const result = await extractDataImages(`<img src="${dataUrl(GIF, 'image/png')}">`, 1024)
    expect(result.images[0]?.mimeType).toBe('image/gif')
  })

  it('removes an SVG disguised as data:image/png', async () => {
    const result = await extractDataImages(`<p>a<img src="${dataUrl(SVG)}">b</p>`, 1024)
    expect(result.html).toBe('<p>ab</p>')
    expect(result.images).toEqual([])
    expect(result.rejected).toEqual([{ code: 'not-an-image', reason: { key: 'error.imageNotAnImage', values: { n: 1 } } }])
    expect(translate('en', result.rejected[0]!.reason.key, result.rejected[0]!.reason.values)).toContain('not a PNG, JPEG, GIF or WebP')
  })

  it('removes HTML disguised as data:image/gif', async () => {
    const result = await extractDataImages(`<img src="${dataUrl(HTML, 'image/gif')}">`, 1024)
    expect(result.html).toBe('')
    expect(result.rejected.map((r) => r.code)).toEqual(['not-an-image'])
  })

  it('rejects an image over maxBytes with a reason the user can read', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(5000)])
    const result = await extractDataImages(`<p><img src="${dataUrl(big)}"><img src="${dataUrl(GIF)}"></p>`, 4096)
    expect(result.html).toBe('<p><img src="cid:inline-1" /></p>')
    expect(result.images.map((i) => i.mimeType)).toEqual(['image/gif'])
    expect(result.rejected).toHaveLength(1)
    expect(result.rejected[0]!.code).toBe('too-large')
    const { key, values } = result.rejected[0]!.reason
    expect(translate('en', key, values)).toMatch(/Pasted image 1 is 5 KB, more than the 4 KB allowed/)
    expect(translate('fr', key, values)).toMatch(/L’image collée n° 1 pèse 5\u00a0Ko, plus que les 4\u00a0Ko autorisés/)
  })

  it(`keeps at most ${MAX_INLINE_IMAGES} images and reports the rest`, async () => {
    // Each image must differ: identical pictures are stored once.
    const images = Array.from({ length: MAX_INLINE_IMAGES + 2 }, (_, i) => Buffer.concat([GIF, Buffer.from([i])]))
    const html = images.map((bytes) => `<img src="${dataUrl(bytes, 'image/gif')}">`).join('')
    const result = await extractDataImages(html, 1024)
    expect(result.images).toHaveLength(MAX_INLINE_IMAGES)
    expect(result.images.map((i) => i.contentId)).toEqual(images.slice(0, MAX_INLINE_IMAGES).map((_, i) => `inline-${i + 1}`))
    expect(result.rejected.map((r) => r.code)).toEqual(['too-many', 'too-many'])
    expect(result.html.match(/<img /g)).toHaveLength(MAX_INLINE_IMAGES)
  })

  it('stores the same picture pasted twice once', async () => {
    const result = await extractDataImages(`<img src="${dataUrl(PNG)}"><img src="${dataUrl(PNG)}">`, 1024)
    expect(result.html).toBe('<img src="cid:inline-1" /><img src="cid:inline-1" />')
    expect(result.images).toHaveLength(1)
  })

  it('removes data: images that are not base64 or not decodable', async () => {
    const result = await extractDataImages('<img src="data:image/png,abc"><img src="data:image/png;base64,%%%%">', 1024)
    expect(result.html).toBe('')
    expect(result.rejected.map((r) => r.code)).toEqual(['unreadable', 'unreadable'])
  })

  it('leaves attachment and cid: images alone', async () => {
    const html = '<p><img src="/attachments/3/a.png" /><img src="cid:abc@example.com" /></p>'
    expect(await extractDataImages(html, 1024)).toEqual({ html, images: [], rejected: [] })
  })
})

describe('replaceImageSources', () => {
  it('rewrites every img src through the map', () => {
    const html = '<p><img src="cid:inline-1" alt="a" /> text <img src="cid:inline-2" /></p>'
    expect(replaceImageSources(html, (src) => src.replace(/^cid:inline-(\d+)$/, '/attachments/4$1/image.png'))).toBe(
      '<p><img src="/attachments/41/image.png" alt="a" /> text <img src="/attachments/42/image.png" /></p>',
    )
  })

  it('removes an image when the map gives null', () => {
    expect(replaceImageSources('<p>a<img src="cid:gone" />b<img src="cid:kept" /></p>', (src) => (src === 'cid:gone' ? null : src))).toBe(
      '<p>ab<img src="cid:kept" /></p>',
    )
  })

  it('escapes what the map returns', () => {
    expect(replaceImageSources('<img src="cid:x" />', () => '/attachments/1/a"onerror="alert(1).png')).toBe(
      '<img src="/attachments/1/a&quot;onerror=&quot;alert(1).png" />',
    )
  })

  it('leaves sanitised HTML otherwise unchanged', () => {
    const html = sanitizeMessageHtml(
      '<h2>T</h2><p>x<br><a href="https://example.com/?a=1&amp;b=2">y</a> &lt;tag&gt;</p><ol><li data-list="bullet">z</li></ol>' +
        '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe><img src="cid:a" alt="">',
    )
    expect(replaceImageSources(html, (src) => src)).toBe(html)
  })
})

import { describe, expect, it } from 'vitest'
import { sanitizeMessageHtml, toEmailHtml } from '../../../src/domain/content/index.ts'

const ID = 'dQw4w9WgXcQ'
const THUMBNAIL =
  `<a href="https://www.youtube.com/watch?v=${ID}">` +
  `<img src="https://img.youtube.com/vi/${ID}/hqdefault.jpg" alt="Play the video on YouTube" width="480"></a>`

describe('toEmailHtml', () => {
  it('turns an attachment image into the cid: the callback gives', () => {
    const html = sanitizeMessageHtml('<p>See <img src="/attachments/41/chart.png" alt="Chart" width="200"></p>')
    const asked: number[] = []
    const email = toEmailHtml(html, (id) => {
      asked.push(id)
      return `att-${id}@suivi.example`
    })
    expect(email).toBe('<p>See <img src="cid:att-41@suivi.example" alt="Chart" width="200" /></p>')
    expect(asked).toEqual([41])
  })

  it('accepts a callback answer that already starts with cid:', () => {
    expect(toEmailHtml('<img src="/attachments/7">', () => 'cid:seven')).toBe('<img src="cid:seven" />')
  })

  it('drops an attachment image the callback does not know', () => {
    expect(toEmailHtml('<p>a<img src="/attachments/5/x.png">b</p>', () => null)).toBe('<p>ab</p>')
  })

  it('keeps cid: images and drops leftover data: images', () => {
    expect(toEmailHtml('<img src="cid:abc"><img src="data:image/png;base64,AAAA">', () => null)).toBe('<img src="cid:abc" />')
  })

  it('turns a YouTube embed into a linked thumbnail', () => {
    const html = sanitizeMessageHtml(`<p>Watch:</p><iframe class="ql-video" src="https://www.youtube.com/embed/${ID}?showinfo=0"></iframe>`)
    expect(toEmailHtml(html, () => null)).toBe(`<p>Watch:</p>${THUMBNAIL}`)
  })

  it('sends Quill bullet lists as <ul> and numbered ones as <ol>', () => {
    const html = sanitizeMessageHtml(
      '<ol><li data-list="bullet">a</li><li data-list="bullet">b</li></ol><ol><li data-list="ordered">1</li></ol>' +
        '<ol><li data-list="bullet">mixed</li><li data-list="ordered">list</li></ol>',
    )
    expect(toEmailHtml(html, () => null)).toBe('<ul><li>a</li><li>b</li></ul><ol><li>1</li></ol><ol><li>mixed</li><li>list</li></ol>')
  })

  it('keeps links and formatting', () => {
    const html = sanitizeMessageHtml('<p><strong>Hi</strong> <a href="https://example.com">there</a></p>')
    expect(toEmailHtml(html, () => null)).toBe(html)
  })

  it('stays safe when given unsanitised HTML', () => {
    const email = toEmailHtml(
      '<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>' +
        `<x-suivi-youtube data-video="${ID}"></x-suivi-youtube><iframe src="https://evil.example"></iframe><p style="color:red">p</p>`,
      () => 'cid:x',
    )
    expect(email).toBe('x<p>p</p>')
  })

  it('survives 10,000 levels of nesting', () => {
    const email = toEmailHtml('<ol><li>'.repeat(10_000) + 'deep', () => null)
    expect(email).toContain('deep')
  })
})

import { describe, expect, it } from 'vitest'
import { embedYouTubeLinks, htmlToText, sanitizeMessageHtml, textToHtml, youTubeIdFrom } from '../../../src/domain/content/index.ts'

const ID = 'dQw4w9WgXcQ'
const EMBED = `<iframe src="https://www.youtube-nocookie.com/embed/${ID}" allowfullscreen title="YouTube video"></iframe>`
const REL = 'rel="noopener noreferrer nofollow" target="_blank"'

/** Anything that would let markup run script, load a foreign frame, restyle the page or post a form. */
const DANGER =
  /<(?:script|style|svg|math|form|input|button|textarea|select|base|meta|link|object|embed|title|head)\b|\son\w+\s*=|javascript:|vbscript:|data:text|image\/svg|style=|class=|id=|expression\(|evil/i

describe('sanitizeMessageHtml against hostile input', () => {
  const cases: { name: string; input: string; expected: string }[] = [
    { name: 'a <script> disappears with its text', input: '<p>Hi<script>alert(1)</script></p>', expected: '<p>Hi</p>' },
    { name: 'an upper-case <SCRIPT> disappears too', input: '<SCRIPT SRC="https://evil.example/x.js"></SCRIPT>ok', expected: 'ok' },
    { name: 'an <img onerror> with a foreign src disappears', input: '<img src=x onerror=alert(1)>', expected: '' },
    {
      name: 'an allowed image loses its onerror handler',
      input: '<img src="/attachments/1/a.png" onerror="alert(1)">',
      expected: '<img src="/attachments/1/a.png" />',
    },
    { name: 'an <svg onload> disappears with its content', input: '<svg onload=alert(1)><text>x</text></svg>after', expected: 'after' },
    { name: 'a <math> element disappears with its content', input: '<math><mi><style><img src=x onerror=alert(1)></style></mi></math>', expected: '' },
    { name: 'a javascript: link loses its href', input: '<a href="javascript:alert(1)">x</a>', expected: 'x' },
    { name: 'an upper-case JAVASCRIPT: link loses its href', input: '<a href="JAVASCRIPT:alert(1)">x</a>', expected: 'x' },
    { name: 'a javascript: link with leading spaces loses its href', input: '<a href="  javascript:alert(1)">x</a>', expected: 'x' },
    { name: 'a link hiding a tab in "javascript" loses its href', input: '<a href="jav&#x09;ascript:alert(1)">x</a>', expected: 'x' },
    { name: 'a link hiding a newline in "javascript" loses its href', input: '<a href="java&#10;script:alert(1)">x</a>', expected: 'x' },
    {
      name: 'an entity-encoded javascript: link loses its href',
      input: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
      expected: 'x',
    },
    { name: 'a hex-entity javascript: link loses its href', input: '<a href="&#x6A;avascript&colon;alert(1)">x</a>', expected: 'x' },
    { name: 'a vbscript: link loses its href', input: '<a href="vbscript:msgbox(1)">x</a>', expected: 'x' },
    { name: 'a data:text/html link loses its href', input: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', expected: 'x' },
    { name: 'a protocol-relative link loses its href', input: '<a href="//evil.example/">x</a>', expected: 'x' },
    { name: 'a relative link loses its href', input: '<a href="/admin/delete">x</a>', expected: 'x' },
    { name: 'a data:image/svg+xml image disappears', input: '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">', expected: '' },
    { name: 'a data:text/html image disappears', input: '<img src="data:text/html,<script>alert(1)</script>">', expected: '' },
    { name: 'a data: image that is not base64 disappears', input: '<img src="data:image/png,abc">', expected: '' },
    { name: 'an image from another site disappears', input: '<img src="https://evil.example/track.gif">', expected: '' },
    { name: 'a javascript: image disappears', input: '<img src="javascript:alert(1)">', expected: '' },
    { name: 'an attachment path that climbs out disappears', input: '<img src="/attachments/1/../../admin">', expected: '' },
    {
      name: 'an image srcset is dropped',
      input: '<img src="/attachments/1" srcset="https://evil.example/x.png 2x">',
      expected: '<img src="/attachments/1" />',
    },
    {
      name: 'an <iframe> to another site disappears with its fallback',
      input: '<iframe src="https://evil.example"><p>fallback</p></iframe>after',
      expected: 'after',
    },
    { name: 'an <iframe> with a javascript: src disappears', input: '<iframe src="javascript:alert(1)"></iframe>', expected: '' },
    { name: 'an <iframe srcdoc> disappears', input: '<iframe srcdoc="<script>alert(1)</script>"></iframe>', expected: '' },
    { name: 'an <iframe> on a look-alike host disappears', input: `<iframe src="https://youtube.com.evil.example/embed/${ID}"></iframe>`, expected: '' },
    { name: 'a YouTube iframe with a bad ID disappears', input: '<iframe src="https://www.youtube.com/embed/short"></iframe>', expected: '' },
    { name: 'a <style> disappears with its rules', input: '<style>body { display: none }</style><p>x</p>', expected: '<p>x</p>' },
    {
      name: 'a <form> is unwrapped and its controls disappear',
      input: '<form action="https://evil.example"><input name="p" value="1"><textarea>t</textarea><button>Go</button></form>',
      expected: 'Go',
    },
    { name: 'a <base> disappears', input: '<base href="https://evil.example/"><p>x</p>', expected: '<p>x</p>' },
    { name: 'a <meta http-equiv=refresh> disappears', input: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><p>x</p>', expected: '<p>x</p>' },
    { name: 'a <link rel=stylesheet> disappears', input: '<link rel="stylesheet" href="https://evil.example/x.css">x', expected: 'x' },
    {
      name: 'an <object> and an <embed> disappear',
      input: '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">x',
      expected: 'x',
    },
    { name: 'a style attribute with expression() is dropped', input: '<div style="width: expression(alert(1))">x</div>', expected: '<div>x</div>' },
    { name: 'class and id attributes are dropped', input: '<p class="ql-align-center" id="main" title="t">x</p>', expected: '<p>x</p>' },
    { name: 'event handlers on allowed tags are dropped', input: '<p onclick="alert(1)" onmouseover="alert(2)">x</p>', expected: '<p>x</p>' },
    { name: 'unclosed tags are closed', input: '<p><b>bold <i>both', expected: '<p><b>bold <i>both</i></b></p>' },
    { name: 'a stray closing tag is ignored', input: '</div></b>text</i>', expected: 'text' },
    { name: 'an unterminated attribute value leaks nothing', input: '<a href="https://example.com/>x', expected: '' },
    { name: 'null bytes are removed', input: 'a\0b<scr\0ipt>alert(1)</script>', expected: 'ab' },
    { name: 'a <noscript> mutation trick stays inert', input: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', expected: '' },
    { name: 'comments and conditional comments disappear', input: '<!--[if mso]><script>alert(1)</script><![endif]-->x<!-- y -->', expected: 'x' },
    {
      name: 'the head of a full document disappears',
      input: '<html><head><title>T</title><style>p{}</style>stray</head><body><p>Body</p></body></html>',
      expected: '<p>Body</p>',
    },
    { name: 'text in a <textarea> outside a form disappears', input: '<textarea><img src=x onerror=alert(1)></textarea>x', expected: 'x' },
    { name: 'a <template> disappears with its content', input: '<template><img src=x onerror=alert(1)></template>x', expected: 'x' },
    {
      name: 'escaped markup in text stays text',
      input: '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
      expected: '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    },
    { name: 'a bad data-list value is dropped', input: '<ol><li data-list="x&quot; onclick=&quot;alert(1)">a</li></ol>', expected: '<ol><li>a</li></ol>' },
  ]

  it.each(cases)('$name', ({ input, expected }) => {
    const output = sanitizeMessageHtml(input)
    expect(output).toBe(expected)
    expect(output).not.toMatch(DANGER)
  })

  it.each([
    ['<div>', '</div>'],
    ['<blockquote>', '</blockquote>'],
    ['<ol><li>', '</li></ol>'],
    ['<table><tr><td>', '</td></tr></table>'],
    ['<b><i>', '</i></b>'],
    ['<svg>', '</svg>'],
    ['<iframe>', '</iframe>'],
  ])('10,000 levels of %s neither crash nor hang, closed or not', (open, close) => {
    for (const closed of [true, false]) {
      const input = open.repeat(10_000) + 'deep <img src=x onerror=alert(1)>' + (closed ? close.repeat(10_000) : '')
      const started = Date.now()
      const output = sanitizeMessageHtml(input)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(output).not.toMatch(DANGER)
      // The nesting limit keeps the output shallow.
      expect(output.length).toBeLessThan(open.length * 200 + close.length * 200 + 100)
    }
  })

  it('stays fast on long data: URLs that are not valid', () => {
    const started = Date.now()
    sanitizeMessageHtml(`<img src="data:image/png;base64,${' '.repeat(100_000)}!">`)
    sanitizeMessageHtml(`<img src="data:image/png;base64,${'A'.repeat(1_000_000)}!">`)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('does not throw on broken or odd input', () => {
    for (const input of ['<', '>', '<<>>', '<a', '<img', '<p <b>', '</', '<!--', '<![CDATA[x', '&#xFFFFFFFF;', '&#0;', '<\u0000>', '\uD800']) {
      expect(() => sanitizeMessageHtml(input)).not.toThrow()
      expect(sanitizeMessageHtml(input)).not.toMatch(DANGER)
    }
    expect(sanitizeMessageHtml('')).toBe('')
  })
})

describe('sanitizeMessageHtml with editor content', () => {
  it('keeps the formatting Quill 2 produces', () => {
    const quill =
      '<h2>Title</h2><h3>Sub</h3><p><strong>b</strong> <em>i</em> <u>u</u> <s>s</s> <code>c</code></p>' +
      '<blockquote>quote</blockquote><pre>a &lt; b</pre><p>line<br>break</p><hr>'
    expect(sanitizeMessageHtml(quill)).toBe(
      '<h2>Title</h2><h3>Sub</h3><p><strong>b</strong> <em>i</em> <u>u</u> <s>s</s> <code>c</code></p>' +
        '<blockquote>quote</blockquote><pre>a &lt; b</pre><p>line<br />break</p><hr />',
    )
  })

  it('keeps Quill list markers and drops its UI spans', () => {
    const list =
      '<ol><li data-list="bullet"><span class="ql-ui" contenteditable="false"></span>one</li>' +
      '<li data-list="ordered"><span class="ql-ui" contenteditable="false"></span>two</li></ol>'
    expect(sanitizeMessageHtml(list)).toBe('<ol><li data-list="bullet">one</li><li data-list="ordered">two</li></ol>')
  })

  it('gives links rel="noopener noreferrer nofollow" and target="_blank"', () => {
    expect(sanitizeMessageHtml('<a href="https://example.com/a?b=1&amp;c=2" target="_self" rel="opener">x</a>')).toBe(
      `<a href="https://example.com/a?b=1&amp;c=2" ${REL}>x</a>`,
    )
    expect(sanitizeMessageHtml('<a href="mailto:help@example.com">mail</a>')).toBe(`<a href="mailto:help@example.com" ${REL}>mail</a>`)
    expect(sanitizeMessageHtml('<a href="http://example.com">plain http</a>')).toBe(`<a href="http://example.com" ${REL}>plain http</a>`)
  })

  it('keeps attachment, cid: and base64 PNG/JPEG/GIF/WebP images with alt, width and height', () => {
    expect(sanitizeMessageHtml('<img src="/attachments/12/photo%20one.png" alt="Photo" width="300" height="abc">')).toBe(
      '<img src="/attachments/12/photo%20one.png" alt="Photo" width="300" />',
    )
    expect(sanitizeMessageHtml('<img src="/attachments/12">')).toBe('<img src="/attachments/12" />')
    expect(sanitizeMessageHtml('<img src="cid:part1.abc@example.com">')).toBe('<img src="cid:part1.abc@example.com" />')
    for (const type of ['png', 'jpeg', 'gif', 'webp']) {
      expect(sanitizeMessageHtml(`<img src="data:image/${type};base64,AAAA">`)).toBe(`<img src="data:image/${type};base64,AAAA" />`)
    }
  })

  it('rewrites a YouTube iframe to the privacy-enhanced player', () => {
    const fromQuill = `<iframe class="ql-video" frameborder="0" allowfullscreen="true" src="https://www.youtube.com/embed/${ID}?showinfo=0"></iframe>`
    expect(sanitizeMessageHtml(fromQuill)).toBe(EMBED)
    for (const src of [`https://youtube.com/embed/${ID}`, `https://youtube-nocookie.com/embed/${ID}`, `https://www.youtube-nocookie.com/embed/${ID}`]) {
      expect(sanitizeMessageHtml(`<iframe src="${src}" width="560" onload="x"></iframe>`)).toBe(EMBED)
    }
  })

  it('gives the same result when run twice', () => {
    const html = `<p>a <a href="https://example.com">b</a><img src="cid:x" alt=""></p>${EMBED}<ol><li data-list="bullet">c</li></ol>`
    const once = sanitizeMessageHtml(html)
    expect(sanitizeMessageHtml(once)).toBe(once)
  })

  it('keeps tables with colspan and rowspan only', () => {
    expect(sanitizeMessageHtml('<table border="1"><tbody><tr><td colspan="2" rowspan="x" bgcolor="red">a</td></tr></tbody></table>')).toBe(
      '<table><tbody><tr><td colspan="2">a</td></tr></tbody></table>',
    )
  })
})

describe('youTubeIdFrom', () => {
  it.each([
    `https://www.youtube.com/watch?v=${ID}`,
    `https://youtube.com/watch?v=${ID}&t=42s`,
    `https://www.youtube.com/watch?feature=share&v=${ID}`,
    `https://m.youtube.com/watch?v=${ID}`,
    `https://youtu.be/${ID}`,
    `https://youtu.be/${ID}?si=abc`,
    `https://www.youtube.com/embed/${ID}`,
    `https://www.youtube.com/embed/${ID}?start=3`,
    `https://www.youtube.com/shorts/${ID}`,
    `https://www.youtube-nocookie.com/embed/${ID}`,
    `https://youtube-nocookie.com/embed/${ID}`,
    `http://www.youtube.com/watch?v=${ID}`,
    `youtu.be/${ID}`,
    `www.youtube.com/watch?v=${ID}`,
    `  https://youtu.be/${ID}  `,
  ])('finds the ID in %s', (url) => {
    expect(youTubeIdFrom(url)).toBe(ID)
  })

  it.each([
    'https://www.youtube.com/watch?v=short',
    `https://www.youtube.com/watch?v=${ID}x`,
    'https://www.youtube.com/',
    `https://www.youtube.com/channel/${ID}`,
    `https://youtube.com.evil.example/watch?v=${ID}`,
    `https://evil.example/watch?v=${ID}`,
    `https://evil.example/?u=https://youtu.be/${ID}`,
    `javascript:alert('https://youtu.be/${ID}')`,
    `ftp://youtu.be/${ID}`,
    `https://youtu.be/${ID}/extra`,
    `https://www.youtube-nocookie.com/watch?v=${ID}`,
    'not a url',
    '',
  ])('finds nothing in %s', (url) => {
    expect(youTubeIdFrom(url)).toBeNull()
  })
})

describe('embedYouTubeLinks', () => {
  it('turns a paragraph holding only a YouTube URL into the embed', () => {
    expect(embedYouTubeLinks(sanitizeMessageHtml(`<p>https://www.youtube.com/watch?v=${ID}&amp;t=3</p>`))).toBe(EMBED)
  })

  it('turns a paragraph holding only a link whose text is the URL into the embed', () => {
    const html = sanitizeMessageHtml(`<p>before</p><p><a href="https://youtu.be/${ID}">https://youtu.be/${ID}</a><br></p><p>after</p>`)
    expect(embedYouTubeLinks(html)).toBe(`<p>before</p>${EMBED}<p>after</p>`)
  })

  it('leaves a link with other text alone', () => {
    const html = sanitizeMessageHtml(`<p><a href="https://youtu.be/${ID}">my video</a></p>`)
    expect(embedYouTubeLinks(html)).toBe(html)
  })

  it('leaves a link whose text is another video alone', () => {
    const html = sanitizeMessageHtml(`<p><a href="https://youtu.be/${ID}">https://youtu.be/aaaaaaaaaaa</a></p>`)
    expect(embedYouTubeLinks(html)).toBe(html)
  })

  it('leaves a URL inside a sentence alone', () => {
    const html = sanitizeMessageHtml(`<p>Watch https://youtu.be/${ID} now</p>`)
    expect(embedYouTubeLinks(html)).toBe(html)
  })

  it('leaves other URLs and formatted paragraphs alone', () => {
    const html = sanitizeMessageHtml(`<p>https://example.com/watch?v=${ID}</p><p><strong>https://youtu.be/${ID}</strong></p>`)
    expect(embedYouTubeLinks(html)).toBe(html)
  })

  it('writes an embed that the sanitiser keeps as it is', () => {
    const embedded = embedYouTubeLinks(sanitizeMessageHtml(`<p>https://youtu.be/${ID}</p>`))
    expect(sanitizeMessageHtml(embedded)).toBe(embedded)
  })

  it('stays fast on long paragraphs that do not match', () => {
    const started = Date.now()
    embedYouTubeLinks(`<p>${' '.repeat(200_000)}<b>`)
    embedYouTubeLinks(`<p>${'<a href="x">y</a>'.repeat(50_000)}`)
    embedYouTubeLinks(`<p>a${' '.repeat(100_000)}b</p>`)
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})

describe('textToHtml', () => {
  it('makes paragraphs from blank lines and <br> from single newlines', () => {
    expect(textToHtml('Hello,\r\nsecond line\n\n\n  \nNew paragraph\n')).toBe('<p>Hello,<br />second line</p><p>New paragraph</p>')
  })

  it('keeps a <script> in the text as text', () => {
    expect(textToHtml('<script>alert(1)</script> & "quotes"')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; "quotes"</p>')
  })

  it('turns bare http(s) URLs into links, leaving trailing punctuation out', () => {
    expect(textToHtml('See https://example.com/a?b=1&c=2. Or (http://example.org/x).')).toBe(
      `<p>See <a href="https://example.com/a?b=1&amp;c=2" ${REL}>https://example.com/a?b=1&amp;c=2</a>. ` +
        `Or (<a href="http://example.org/x" ${REL}>http://example.org/x</a>).</p>`,
    )
    expect(textToHtml('https://en.wikipedia.org/wiki/Foo_(bar)')).toBe(
      `<p><a href="https://en.wikipedia.org/wiki/Foo_(bar)" ${REL}>https://en.wikipedia.org/wiki/Foo_(bar)</a></p>`,
    )
  })

  it('does not link other schemes or URLs that try to break out of the attribute', () => {
    expect(textToHtml('javascript:alert(1) ftp://example.com')).toBe('<p>javascript:alert(1) ftp://example.com</p>')
    const html = textToHtml('https://example.com/"onmouseover="alert(1)')
    expect(html).not.toMatch(/\sonmouseover=/)
    expect(html).toBe(`<p><a href="https://example.com/" ${REL}>https://example.com/</a>"onmouseover="alert(1)</p>`)
  })

  it('stays fast on hostile text', () => {
    const started = Date.now()
    textToHtml(`https://example.com/${')'.repeat(100_000)}`)
    textToHtml(`${'\n '.repeat(50_000)}x`)
    textToHtml('https://example.com/ '.repeat(20_000))
    expect(Date.now() - started).toBeLessThan(3_000)
  })

  it('gives nothing for empty or blank text', () => {
    expect(textToHtml('')).toBe('')
    expect(textToHtml(' \n\n \n')).toBe('')
  })

  it('prepares a lone YouTube URL for embedYouTubeLinks', () => {
    expect(embedYouTubeLinks(textToHtml(`Look:\n\nhttps://youtu.be/${ID}\n\nBye`))).toBe(`<p>Look:</p>${EMBED}<p>Bye</p>`)
  })
})

describe('htmlToText', () => {
  it('writes readable text without wrapping', () => {
    const long = 'word '.repeat(40).trim()
    expect(htmlToText(`<h2>Hello</h2><p>${long}</p><p>x<br>y</p>`)).toBe(`Hello\n\n${long}\n\nx\ny`)
  })

  it('writes links as "text [url]", and a link showing its own URL once', () => {
    expect(htmlToText('<p>See <a href="https://example.com/">the site</a> or <a href="https://example.com/">https://example.com/</a></p>')).toBe(
      'See the site [https://example.com/] or https://example.com/',
    )
  })

  it('keeps bullets and numbers, including Quill 2 bullet items inside <ol>', () => {
    expect(
      htmlToText(
        '<ol><li data-list="bullet">a</li><li data-list="bullet">b</li></ol><ol><li data-list="ordered">one</li><li data-list="ordered">two</li></ol><ul><li>u</li></ul>',
      ),
    ).toBe(' * a\n * b\n\n 1. one\n 2. two\n\n * u')
  })

  it('writes images as their alt text and drops images without one', () => {
    expect(htmlToText('<p>Chart: <img src="/attachments/1/c.png" alt="Sales chart"><img src="cid:x"></p>')).toBe('Chart: Sales chart')
  })

  it('writes a YouTube embed as its watch URL', () => {
    expect(htmlToText(`<p>Video:</p>${EMBED}`)).toBe(`Video:\n\nhttps://www.youtube.com/watch?v=${ID}`)
  })

  it('quotes blockquotes and drops scripts, styles and the head', () => {
    expect(
      htmlToText('<html><head><title>T</title><style>p{}</style></head><body><blockquote>quoted</blockquote><script>alert(1)</script></body></html>'),
    ).toBe('> quoted')
  })

  it('puts table cells on their own lines', () => {
    expect(htmlToText('<table><tr><th>Name</th><th>Qty</th></tr><tr><td>Pen</td><td>2</td></tr></table>')).toBe('Name\nQty\nPen\n2')
  })

  it('survives 10,000 levels of nesting', () => {
    expect(htmlToText('<div>'.repeat(10_000) + 'deep' + '</div>'.repeat(10_000))).toBe('deep')
    expect(htmlToText('<ol><li>'.repeat(10_000) + 'deep')).toContain('deep')
  })
})

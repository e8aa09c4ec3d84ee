import { parseDocument } from 'htmlparser2'
import render from 'dom-serializer'
import { describe, expect, it } from 'vitest'
import { splitReply, splitReplyHtml } from '../../../../src/mail/inbound/replyText/index.ts'

const text = (...lines: string[]) => lines.join('\n')

/** The non-blank lines, trimmed and sorted: what a split must keep between its two parts. */
function contentLines(body: string): string[] {
  return body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .sort()
}

function expectNothingLost(body: string) {
  const { visible, folded } = splitReply(body)
  expect(contentLines(`${visible}\n${folded}`)).toEqual(contentLines(body))
}

describe('splitReply (plain text)', () => {
  describe('folds the quoted history under an attribution', () => {
    it('English, Gmail', () => {
      const body = text(
        'Thanks, that fixed it!',
        '',
        'Marie',
        '',
        'On Tue, Mar 5, 2024 at 10:12 AM Acme Support <support@acme.test> wrote:',
        '',
        '> Hello Marie,',
        '> please try again.',
      )
      expect(splitReply(body)).toEqual({
        visible: 'Thanks, that fixed it!\n\nMarie',
        folded: 'On Tue, Mar 5, 2024 at 10:12 AM Acme Support <support@acme.test> wrote:\n\n> Hello Marie,\n> please try again.',
      })
    })

    it('English, Gmail, with the attribution wrapped over two lines', () => {
      const body = text(
        'Works now.',
        '',
        'On Tue, Mar 5, 2024 at 10:12 AM Acme Support Team <',
        'support@acme.test> wrote:',
        '',
        '> Hello',
      )
      expect(splitReply(body).visible).toBe('Works now.')
    })

    it('English, Apple Mail (device signature, then the quote)', () => {
      const body = text(
        'Works now, thanks!',
        '',
        'Sent from my iPhone',
        '',
        '> On 5 Mar 2024, at 10:12, Acme Support <support@acme.test> wrote:',
        '> ',
        '> Hello, please try again.',
      )
      const { visible, folded } = splitReply(body)
      expect(visible).toBe('Works now, thanks!')
      expect(folded.startsWith('Sent from my iPhone')).toBe(true)
    })

    it('French', () => {
      const body = text(
        'Bonjour,',
        "C'est réglé, merci !",
        '',
        'Le mar. 5 mars 2024 à 10:12, Support Acme <support@acme.test> a écrit :',
        '> Bonjour,',
        '> pouvez-vous réessayer ?',
      )
      expect(splitReply(body).visible).toBe("Bonjour,\nC'est réglé, merci !")
    })

    it('German', () => {
      const body = text(
        'Danke, jetzt geht es.',
        '',
        'Am 05.03.2024 um 10:12 schrieb Acme Support <support@acme.test>:',
        '> Hallo,',
        '> bitte noch einmal versuchen.',
      )
      expect(splitReply(body).visible).toBe('Danke, jetzt geht es.')
    })

    it('Spanish, Dutch, Japanese and Chinese', () => {
      const attributions = [
        'El mar, 5 mar 2024 a las 10:12, Acme Support (<support@acme.test>) escribió:',
        'Op di 5 mrt 2024 om 10:12 schreef Acme Support <support@acme.test>:',
        '2024年3月5日(火) 10:12 Acme Support <support@acme.test>:',
        'Acme Support <support@acme.test> 于2024年3月5日周二 10:12写道：',
      ]
      for (const attribution of attributions) {
        const body = text('Ok, thanks.', '', attribution, '', '> Hello')
        expect(splitReply(body).visible, attribution).toBe('Ok, thanks.')
      }
    })

    it('an attribution followed by the earlier message without ">" marks', () => {
      const body = text(
        'See you tomorrow.',
        '',
        'On Tue, Mar 5, 2024 at 10:12 AM Acme Support <support@acme.test> wrote:',
        '',
        'Hello, shall we meet tomorrow?',
      )
      expect(splitReply(body).visible).toBe('See you tomorrow.')
    })
  })

  describe('folds Outlook history', () => {
    it('a From/Sent/To/Subject header block under a rule', () => {
      const body = text(
        'Hi team,',
        '',
        'Still broken, see attached.',
        '',
        'Tom',
        '',
        '________________________________',
        'From: Acme Support <support@acme.test>',
        'Sent: Tuesday, March 5, 2024 10:12 AM',
        'To: Tom <tom@example.test>',
        'Subject: Re: [#42] Login',
        '',
        'Hello Tom, please try again.',
      )
      expect(splitReply(body).visible).toBe('Hi team,\n\nStill broken, see attached.\n\nTom')
    })

    it('a French header block without a rule', () => {
      const body = text(
        'Merci.',
        '',
        'De : Support Acme <support@acme.test>',
        'Envoyé : mardi 5 mars 2024 10:12',
        'À : Tom',
        'Objet : RE: Connexion',
        '',
        'Bonjour Tom',
      )
      expect(splitReply(body).visible).toBe('Merci.')
    })

    it('"-----Original Message-----"', () => {
      const body = text(
        'Please see my answer above.',
        '',
        '-----Original Message-----',
        'From: support@acme.test',
        'Sent: Tuesday, March 5, 2024 10:12 AM',
        '',
        'Old text',
      )
      expect(splitReply(body).visible).toBe('Please see my answer above.')
    })

    it('German "Ursprüngliche Nachricht"', () => {
      const body = text('Danke.', '', '-----Ursprüngliche Nachricht-----', 'Von: Support', 'Gesendet: Dienstag', '', 'Alt')
      expect(splitReply(body).visible).toBe('Danke.')
    })
  })

  describe('folds quotes and signatures', () => {
    it('a trailing ">" quote without attribution', () => {
      const body = text('Yes, that is right.', '', '> Is the invoice correct?', '> Thanks')
      expect(splitReply(body)).toEqual({ visible: 'Yes, that is right.', folded: '> Is the invoice correct?\n> Thanks' })
    })

    it('the "-- " signature delimiter and everything under it', () => {
      const body = text('I will check tomorrow.', '', '-- ', 'Jane Doe', 'Head of IT, Example Ltd', '+33 1 23 45 67 89')
      expect(splitReply(body)).toEqual({
        visible: 'I will check tomorrow.',
        folded: '-- \nJane Doe\nHead of IT, Example Ltd\n+33 1 23 45 67 89',
      })
    })

    it('"Sent from my iPhone" and its translations', () => {
      for (const signature of [
        'Sent from my iPhone',
        'Sent from my Samsung Galaxy smartphone.',
        'Sent from my phone, please excuse typos',
        'Envoyé de mon iPhone',
        'Von meinem iPhone gesendet',
        'Enviado desde mi iPhone',
        'Get Outlook for Android',
      ]) {
        expect(splitReply(text('On my way.', '', signature)), signature).toEqual({ visible: 'On my way.', folded: signature })
      }
    })

    it('keeps sentences that merely start like a device signature', () => {
      const body = text('Here is the log.', '', 'Sent from my desk, which is much easier than from my phone.')
      expect(splitReply(body).visible).toBe(body)
    })

    it('keeps "--" inside a line, list items starting with "--" and code blocks', () => {
      const bodies = [
        text('And here is a fix -- this is not a signature.', '', 'kthxbai'),
        text('Please check:', '-- the invoice', '-- the address'),
        text('My script:', '```', 'echo "--"', '--', 'Sent from my iPhone', '```', 'Any idea?'),
      ]
      for (const body of bodies) expect(splitReply(body).visible).toBe(body)
    })

    it('keeps Markdown rules between paragraphs', () => {
      const body = text('Summary', '-------', '', 'All good.', '', '====', '', 'These separators are part of my message.')
      expect(splitReply(body).visible).toBe(body)
    })

    it('folds a short signature under a rule of long dashes', () => {
      const body = text('Thanks for the update!', '', '—————', 'Sarah Johnson', 'Product Manager')
      expect(splitReply(body).visible).toBe('Thanks for the update!')
    })
  })

  describe('keeps what the customer wrote', () => {
    it('a top-posted reply with no quote at all is left whole', () => {
      const body = text('Hello,', '', 'On Monday the export failed again.', 'On Tuesday it worked.', '', 'Regards,', 'Ann')
      expect(splitReply(body)).toEqual({ visible: body, folded: '' })
    })

    it('a message that is only quoted text stays visible', () => {
      const body = text('> On Tue, Mar 5, 2024 at 10:12 AM Acme <support@acme.test> wrote:', '> Hello', '> Bye')
      expect(splitReply(body)).toEqual({ visible: body, folded: '' })
    })

    it('a message that is only a signature stays visible', () => {
      expect(splitReply('Sent from my iPhone')).toEqual({ visible: 'Sent from my iPhone', folded: '' })
    })

    it('inline answers keep the quotes they answer', () => {
      const body = text(
        'On Mon, Mar 4, 2024 at 9:00 AM Acme <support@acme.test> wrote:',
        '> Which version do you use?',
        '',
        'Version 2.',
        '',
        '> Which system?',
        '',
        'Linux.',
        '',
        '-- ',
        'Ann',
      )
      expect(splitReply(body).visible).toBe(body.split('\n\n-- ')[0])
    })

    it('a bottom-posted answer: the attribution and the quote above it are folded', () => {
      const body = text(
        'On Mon, Mar 4, 2024 at 9:00 AM Acme <support@acme.test> wrote:',
        '> Which version do you use?',
        '',
        'Version 2, on Linux.',
      )
      expect(splitReply(body)).toEqual({
        visible: 'Version 2, on Linux.',
        folded: 'On Mon, Mar 4, 2024 at 9:00 AM Acme <support@acme.test> wrote:\n> Which version do you use?',
      })
    })

    it('a forwarded message shows the forwarded body', () => {
      const body = text(
        '---------- Forwarded message ---------',
        'From: Bob <bob@example.test>',
        'Date: Tue, Mar 5, 2024 at 10:12 AM',
        'Subject: Invoice',
        'To: <ann@example.test>',
        '',
        'Please pay the invoice.',
      )
      expect(splitReply(body).visible).toBe('Please pay the invoice.')
    })

    it('sentences starting with "On" are not attributions', () => {
      const body = text('On the surface this looks fine.', 'On average it takes 3 days.', 'On your remote host you can run:', '', '    ssh host')
      expect(splitReply(body).visible).toBe(body)
    })

    it('handles CRLF line endings and empty bodies', () => {
      expect(splitReply('Fine.\r\n\r\n> quoted\r\n').visible).toBe('Fine.')
      expect(splitReply('')).toEqual({ visible: '', folded: '' })
      expect(splitReply(' \n \n')).toEqual({ visible: '', folded: '' })
    })

    it('never loses a line: visible and folded together hold the whole body', () => {
      expectNothingLost(text('A', '', 'On Mon, Mar 4, 2024 at 9:00 AM X <x@y.test> wrote:', '> q', '', 'B', '', '> r', '-- ', 'sig'))
      expectNothingLost(text('On Mon, Mar 4, 2024 at 9:00 AM X <x@y.test> wrote:', '> q', '', 'answer'))
    })

    it('stays fast on long and hostile input', () => {
      const hostile = [
        Array.from({ length: 2000 }, () => `${'a'.repeat(500)}@${'b'.repeat(400)} wrote:`).join('\n'),
        Array.from({ length: 50000 }, (_, i) => `On ${i} someone wrote something to me:`).join('\n'),
        Array.from({ length: 50000 }, (_, i) => (i % 2 ? '-----' : 'From: x')).join('\n'),
      ]
      const started = Date.now()
      for (const body of hostile) splitReply(body)
      expect(Date.now() - started).toBeLessThan(5000)
    })
  })
})

/** Parsing and serialising again changes nothing in well-formed HTML. */
function expectWellFormed(html: string) {
  expect(render(parseDocument(html).children, { encodeEntities: 'utf8' })).toBe(html)
}

describe('splitReplyHtml (sanitised HTML)', () => {
  it('folds Gmail history at the attribution above the <blockquote>', () => {
    const html =
      '<div>Thanks, that fixed it!<div><br /></div><div>Marie</div></div><br />' +
      '<div><div>On Tue, 5 Mar 2024 at 10:12, Support &lt;support@acme.test&gt; wrote:<br /></div>' +
      '<blockquote><div>Hello Marie,<div>please try again.</div></div></blockquote></div>'
    const { visible, folded } = splitReplyHtml(html)
    expect(visible).toBe('<div>Thanks, that fixed it!<div><br></div><div>Marie</div></div>')
    expect(folded).toBe(
      '<br><div><div>On Tue, 5 Mar 2024 at 10:12, Support &lt;support@acme.test&gt; wrote:<br></div>' +
        '<blockquote><div>Hello Marie,<div>please try again.</div></div></blockquote></div>',
    )
    expectWellFormed(visible)
    expectWellFormed(folded)
  })

  it('folds at a French attribution', () => {
    const html = '<p>Merci beaucoup !</p><div>Le 05/03/2024 à 10:12, Support a écrit :<br /></div><blockquote>Bonjour</blockquote>'
    expect(splitReplyHtml(html).visible).toBe('<p>Merci beaucoup !</p>')
  })

  it('folds at an Outlook From/Sent header block, closing the elements it cuts through', () => {
    const html =
      '<div><p>Hi team,</p><p>Still broken.</p><hr />' +
      '<div><b>From:</b> Support &lt;support@acme.test&gt;<br /><b>Sent:</b> Tuesday, March 5, 2024 10:12 AM<br />' +
      '<b>To:</b> Tom<br /><b>Subject:</b> Re: Login</div><div><p>Hello Tom</p></div></div>'
    const { visible, folded } = splitReplyHtml(html)
    expect(visible).toBe('<div><p>Hi team,</p><p>Still broken.</p></div>')
    expect(folded.startsWith('<div><hr><div><b>From:</b>')).toBe(true)
    expectWellFormed(visible)
    expectWellFormed(folded)
  })

  it('folds at "-----Original Message-----"', () => {
    const html = '<div>See below.</div><div>-----Original Message-----<br />From: A<br />Sent: Monday<br /><br />old</div>'
    expect(splitReplyHtml(html)).toEqual({
      visible: '<div>See below.</div>',
      folded: '<div>-----Original Message-----<br>From: A<br>Sent: Monday<br><br>old</div>',
    })
  })

  it('folds at the "-- " signature delimiter, also inside <pre>', () => {
    expect(splitReplyHtml('<p>Hello there</p><p>-- <br />Jane<br />CEO</p>')).toEqual({
      visible: '<p>Hello there</p>',
      folded: '<p>-- <br>Jane<br>CEO</p>',
    })
    const pre = splitReplyHtml('<pre>Looks good.\n\n-- \nJane</pre>')
    expect(pre.visible).toBe('<pre>Looks good.\n</pre>')
    expect(pre.folded).toBe('<pre>\n-- \nJane</pre>')
  })

  it('folds an Apple Mail device signature and the quote under it', () => {
    const html =
      '<div>Works now!</div><div><br /></div><div>Sent from my iPhone</div>' +
      '<div><br /><blockquote>On 5 Mar 2024, at 10:12, Support &lt;s@acme.test&gt; wrote:<br /><br /></blockquote></div>' +
      '<blockquote><div>Hello</div></blockquote>'
    expect(splitReplyHtml(html).visible).toBe('<div>Works now!</div>')
  })

  it('keeps an image under the text, folds the one in the signature', () => {
    const html = '<p>Here is the screenshot:</p><p><img src="cid:shot" /></p><p>-- <br />Jane<br /><img src="cid:logo" /></p>'
    expect(splitReplyHtml(html)).toEqual({
      visible: '<p>Here is the screenshot:</p><p><img src="cid:shot"></p>',
      folded: '<p>-- <br>Jane<br><img src="cid:logo"></p>',
    })
  })

  it('leaves HTML without history untouched, and a body that is only a quote visible', () => {
    const plain = '<p>Just <b>text</b> &amp; more</p>'
    expect(splitReplyHtml(plain)).toEqual({ visible: plain, folded: '' })
    const onlyQuote = '<blockquote><p>old</p></blockquote>'
    expect(splitReplyHtml(onlyQuote)).toEqual({ visible: onlyQuote, folded: '' })
  })

  it('keeps inline answers with the quotes they answer', () => {
    const html =
      '<p>My answers:</p><div>On Mon, 4 Mar 2024 at 09:00, Support &lt;s@acme.test&gt; wrote:</div>' +
      '<blockquote><p>Which version?</p></blockquote><p>Version 2.</p><blockquote><p>Which OS?</p></blockquote><p>Linux.</p>'
    expect(splitReplyHtml(html)).toEqual({ visible: html, folded: '' })
  })
})

import { parseDocument } from 'htmlparser2'
import render from 'dom-serializer'
import { describe, expect, it } from 'vitest'
import { splitReply, splitReplyHtml } from '../../../../src/domain/content/replyText/index.ts'

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
      const body = text('Works now.', '', 'On Tue, Mar 5, 2024 at 10:12 AM Acme Support Team <', 'support@acme.test> wrote:', '', '> Hello')
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
      const body = text('On Mon, Mar 4, 2024 at 9:00 AM Acme <support@acme.test> wrote:', '> Which version do you use?', '', 'Version 2, on Linux.')
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

// ---------------------------------------------------------------------------------------------
// The common mail clients in the most used languages. The attributions, separators and header
// blocks are written the way each client produces them (Gmail, Outlook desktop and web, Apple
// Mail, Thunderbird, Android/Samsung, Yahoo, GMX/Web.de, Mail.ru, Yandex, QQ/Foxmail). Every case
// asserts what stays visible and what is folded, and that no word of the body is lost.
// ---------------------------------------------------------------------------------------------

/** The words of a body, sorted: a split may cut a line in two but must keep every word. */
function words(body: string): string[] {
  return body
    .split(/\s+/)
    .filter((word) => word !== '')
    .sort()
}

function expectSplit(body: string, visible: string, folded: string) {
  const result = splitReply(body)
  expect(result).toEqual({ visible, folded })
  expect(words(`${result.visible}\n${result.folded}`)).toEqual(words(body))
}

const REPLY = 'Thanks, it works now.'
const QUOTE = ['> Hello Jane,', '> please try again.']

/** [client, language, attribution line(s)] followed by a ">" quote. */
const ATTRIBUTIONS: [string, string, string][] = [
  // Gmail (web, Android, iOS)
  ['Gmail', 'en', 'On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com> wrote:'],
  ['Gmail', 'en, wrapped', 'On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com>\nwrote:'],
  ['Gmail', 'zh-CN', 'Jane Doe <jane@example.com> 于2024年3月5日周二 10:12写道：'],
  ['Gmail', 'zh-TW', 'Jane Doe <jane@example.com> 於 2024年3月5日 週二 上午10:12寫道：'],
  ['Gmail', 'es', 'El mar, 5 mar 2024 a las 10:12, Jane Doe (<jane@example.com>) escribió:'],
  ['Gmail', 'hi', 'मंगल, 5 मार्च 2024 को 10:12 am बजे Jane Doe <jane@example.com> ने लिखा:'],
  ['Gmail', 'ar', 'في الثلاثاء، 5 مارس 2024 في 10:12 ص تمت كتابة ما يلي بواسطة Jane Doe <jane@example.com>:'],
  ['Gmail', 'ar, wrapped', 'في الثلاثاء، 5 مارس 2024 في 10:12 ص تمت كتابة ما يلي بواسطة Jane\nDoe <jane@example.com>:'],
  ['Gmail', 'ar, short form', 'في الثلاثاء، 5 مارس 2024 في 10:12 ص كتب Jane Doe <jane@example.com>:'],
  ['Gmail', 'pt-BR', 'Em ter., 5 de mar. de 2024 às 10:12, Jane Doe <jane@example.com> escreveu:'],
  ['Gmail', 'pt-PT', 'Jane Doe <jane@example.com> escreveu no dia terça, 5/03/2024 à(s) 10:12:'],
  ['Gmail', 'bn', 'মঙ্গল, 5 মার্চ, 2024 10:12 AM এ Jane Doe <jane@example.com> লিখেছেন:'],
  ['Gmail', 'ru', 'вт, 5 мар. 2024 г. в 10:12, Jane Doe <jane@example.com>:'],
  ['Gmail', 'ja', '2024年3月5日(火) 10:12 Jane Doe <jane@example.com>:'],
  ['Gmail', 'de', 'Am Di., 5. März 2024 um 10:12 Uhr schrieb Jane Doe <jane@example.com>:'],
  ['Gmail', 'fr', 'Le mar. 5 mars 2024 à 10:12, Jane Doe <jane@example.com> a écrit :'],
  ['Gmail', 'it', 'Il giorno mar 5 mar 2024 alle ore 10:12 Jane Doe <jane@example.com> ha scritto:'],
  ['Gmail', 'tr', 'Jane Doe <jane@example.com>, 5 Mar 2024 Sal, 10:12 tarihinde şunu yazdı:'],
  ['Gmail', 'ko', '2024년 3월 5일 (화) 오전 10:12, Jane Doe <jane@example.com>님이 작성:'],
  ['Gmail', 'vi', 'Vào Th 3, 5 thg 3, 2024 vào lúc 10:12 Jane Doe <jane@example.com> đã viết:'],
  ['Gmail', 'vi, wrapped', 'Vào Th 3, 5 thg 3, 2024 vào lúc 10:12 Jane Doe <jane@example.com>\nđã viết:'],
  ['Gmail', 'pl', 'wt., 5 mar 2024 o 10:12 Jane Doe <jane@example.com> napisał(a):'],
  ['Gmail', 'nl', 'Op di 5 mrt 2024 om 10:12 schreef Jane Doe <jane@example.com>:'],
  ['Gmail', 'id', 'Pada tanggal Sel, 5 Mar 2024 pukul 10.12 Jane Doe <jane@example.com> menulis:'],
  ['Gmail', 'id, wrapped', 'Pada Sel, 5 Mar 2024 pukul 10.12 Jane Doe <jane@example.com>\nmenulis:'],
  ['Gmail', 'th', 'เมื่อ อ. 5 มี.ค. 2024 เวลา 10:12 Jane Doe <jane@example.com> เขียนว่า:'],
  ['Gmail', 'da', 'Den tir. 5. mar. 2024 kl. 10.12 skrev Jane Doe <jane@example.com>:'],
  ['Gmail', 'sv', 'Den tis 5 mars 2024 kl 10:12 skrev Jane Doe <jane@example.com>:'],
  ['Gmail', 'no', 'tir. 5. mar. 2024 kl. 10:12 skrev Jane Doe <jane@example.com>:'],
  ['Gmail', 'fi', 'ti 5. maalisk. 2024 klo 10.12 Jane Doe (jane@example.com) kirjoitti:'],
  ['Gmail', 'cs', 'út 5. 3. 2024 v 10:12 odesílatel Jane Doe <jane@example.com> napsal:'],
  ['Gmail', 'uk', 'вт, 5 бер. 2024 р. о 10:12 Jane Doe <jane@example.com> пише:'],
  ['Gmail', 'hu', 'Jane Doe <jane@example.com> ezt írta (időpont: 2024. márc. 5., K, 10:12):'],
  ['Gmail', 'el', 'Στις Τρί 5 Μαρ 2024 στις 10:12 π.μ., ο/η Jane Doe <jane@example.com> έγραψε:'],
  ['Gmail', 'he', 'בתאריך יום ג׳, 5 במרץ 2024 ב-10:12 מאת Jane Doe <jane@example.com>:'],
  // Apple Mail (macOS, iOS)
  ['Apple Mail', 'en', 'On 5 Mar 2024, at 10:12, Jane Doe <jane@example.com> wrote:'],
  ['Apple Mail', 'en, iOS', 'On Mar 5, 2024, at 10:12 AM, Jane Doe <jane@example.com> wrote:'],
  ['Apple Mail', 'de', 'Am 05.03.2024 um 10:12 schrieb Jane Doe <jane@example.com>:'],
  ['Apple Mail', 'fr', 'Le 5 mars 2024 à 10:12, Jane Doe <jane@example.com> a écrit :'],
  ['Apple Mail', 'es', 'El 5 mar 2024, a las 10:12, Jane Doe <jane@example.com> escribió:'],
  ['Apple Mail', 'it', 'Il giorno 5 mar 2024, alle ore 10:12, Jane Doe <jane@example.com> ha scritto:'],
  ['Apple Mail', 'pt', 'Em 5 de mar. de 2024, à(s) 10:12, Jane Doe <jane@example.com> escreveu:'],
  ['Apple Mail', 'nl', 'Op 5 mrt 2024 om 10:12 heeft Jane Doe <jane@example.com> het volgende geschreven:'],
  ['Apple Mail', 'ru', '5 марта 2024 г., в 10:12, Jane Doe <jane@example.com> написал(а):'],
  ['Apple Mail', 'ja', '2024/03/05 10:12、Jane Doe <jane@example.com>のメール:'],
  ['Apple Mail', 'ja, iOS', '2024/03/05 10:12、Jane Doe <jane@example.com>のメッセージ:'],
  ['Apple Mail', 'zh', '2024年3月5日 10:12，Jane Doe <jane@example.com> 写道：'],
  ['Apple Mail', 'ko', '2024. 3. 5. 오전 10:12, Jane Doe <jane@example.com> 작성:'],
  ['Apple Mail', 'pl', 'Wiadomość napisana przez Jane Doe <jane@example.com> w dniu 05.03.2024, o godz. 10:12:'],
  ['Apple Mail', 'tr', '5 Mar 2024 tarihinde 10:12 saatinde, Jane Doe <jane@example.com> şunları yazdı:'],
  ['Apple Mail', 'da', 'Den 5. mar. 2024 kl. 10.12 skrev Jane Doe <jane@example.com>:'],
  ['Apple Mail', 'sv', '5 mars 2024 kl. 10:12 skrev Jane Doe <jane@example.com>:'],
  ['Apple Mail', 'vi', 'Vào 10:12, ngày 5 thg 3, 2024, Jane Doe <jane@example.com> đã viết:'],
  ['Apple Mail', 'id', 'Pada 5 Mar 2024, pukul 10.12, Jane Doe <jane@example.com> menulis:'],
  ['Apple Mail', 'th', 'เมื่อ 5 มี.ค. 2567 เวลา 10:12 Jane Doe <jane@example.com> เขียนว่า:'],
  ['Apple Mail', 'ar', 'في 5 مارس 2024، الساعة 10:12، كتب Jane Doe <jane@example.com>:'],
  ['Apple Mail', 'hi', '5 मार्च 2024 को 10:12 पर, Jane Doe <jane@example.com> ने लिखा:'],
  // Thunderbird (the default attribution names the sender without an address)
  ['Thunderbird', 'en', 'On 3/5/24 10:12 AM, Jane Doe wrote:'],
  ['Thunderbird', 'de', 'Am 05.03.24 um 10:12 schrieb Jane Doe:'],
  ['Thunderbird', 'fr', 'Le 05/03/2024 à 10:12, Jane Doe a écrit :'],
  ['Thunderbird', 'es', 'El 5/3/24 a las 10:12, Jane Doe escribió:'],
  ['Thunderbird', 'it', 'Il 05/03/24 10:12, Jane Doe ha scritto:'],
  ['Thunderbird', 'pt', 'Em 05/03/2024 10:12, Jane Doe escreveu:'],
  ['Thunderbird', 'nl', 'Op 05-03-2024 om 10:12 schreef Jane Doe:'],
  ['Thunderbird', 'ru', '05.03.2024 10:12, Jane Doe пишет:'],
  ['Thunderbird', 'pl', 'W dniu 5.03.2024 o 10:12, Jane Doe pisze:'],
  ['Thunderbird', 'zh', '在 2024/3/5 10:12, Jane Doe 写道:'],
  ['Thunderbird', 'ja', '2024/03/05 10:12, Jane Doe さんは書きました:'],
  ['Thunderbird', 'ko', '2024. 3. 5. 오전 10:12에 Jane Doe 이(가) 쓴 글:'],
  ['Thunderbird', 'tr', '5.03.2024 10:12 tarihinde Jane Doe yazdı:'],
  ['Thunderbird', 'vi', 'Vào 05/03/2024 10:12, Jane Doe đã viết:'],
  ['Thunderbird', 'id', 'Pada 05/03/24 10.12, Jane Doe menulis:'],
  ['Thunderbird', 'da', 'Den 05.03.2024 kl. 10.12 skrev Jane Doe:'],
  // Yahoo Mail (web and Android)
  ['Yahoo', 'en', 'On Tuesday, March 5, 2024 at 10:12:00 AM GMT+1, Jane Doe <jane@example.com> wrote:'],
  ['Yahoo', 'en, Android', 'On Tue, Mar 5, 2024 at 10:12, Jane Doe<jane@example.com> wrote:'],
  ['Yahoo', 'de', 'Am Dienstag, 5. März 2024 um 10:12:00 MEZ hat Jane Doe <jane@example.com> Folgendes geschrieben:'],
  ['Yahoo', 'fr', 'Le mardi 5 mars 2024 à 10:12:00 UTC+1, Jane Doe <jane@example.com> a écrit :'],
  ['Yahoo', 'es', 'El martes, 5 de marzo de 2024, 10:12:00 CET, Jane Doe <jane@example.com> escribió:'],
  ['Yahoo', 'it', 'Il martedì 5 marzo 2024, 10:12:00 CET, Jane Doe <jane@example.com> ha scritto:'],
  ['Yahoo', 'pt', 'Em terça-feira, 5 de março de 2024 10:12:00 BRT, Jane Doe <jane@example.com> escreveu:'],
  ['Yahoo', 'id', 'Pada Selasa, 5 Maret 2024 10.12.00 WIB, Jane Doe <jane@example.com> menulis:'],
  ['Yahoo', 'vi', 'Vào Thứ Ba, 5 tháng 3, 2024 lúc 10:12:00 GMT+7, Jane Doe <jane@example.com> đã viết:'],
  ['Yahoo', 'zh-TW', 'Jane Doe <jane@example.com> 在 2024年3月5日 星期二 上午10:12:00 [GMT+8] 寫道：'],
  // Android mail apps (AOSP Email, HTC, Samsung in "wrote" mode) and Zoho
  ['Android', 'en', '---- Jane Doe wrote ----'],
  ['Android', 'de', '---- Jane Doe schrieb ----'],
  ['Android', 'fr', '---- Jane Doe a écrit ----'],
  ['Android', 'es', '---- Jane Doe escribió ----'],
  ['Android', 'pt', '---- Jane Doe escreveu ----'],
  ['Android', 'it', '---- Jane Doe ha scritto ----'],
  ['Android', 'nl', '---- Jane Doe schreef ----'],
  ['Android', 'ru', '---- Jane Doe написал ----'],
  ['Zoho', 'en', '---- On Tue, 05 Mar 2024 10:12:00 +0100 Jane Doe <jane@example.com> wrote ----'],
  // Mail.ru and Yandex
  ['Mail.ru', 'ru', 'Вторник, 5 марта 2024, 10:12 +03:00 от Jane Doe <jane@example.com>:'],
  ['Mail.ru', 'en', 'Tuesday, 5 March 2024, 10:12 +03:00 from Jane Doe <jane@example.com>:'],
  ['Yandex', 'ru', '05.03.2024, 10:12, "Jane Doe" <jane@example.com>:'],
  // Outlook desktop in "On … wrote:" mode (Outlook 2019, Outlook for Mac)
  ['Outlook 2019', 'en', 'On 05/03/2024, 10:12, "Jane Doe" <jane@example.com> wrote:'],
  ['Outlook 2019', 'de', 'Am 05.03.2024 um 10:12 schrieb "Jane Doe" <jane@example.com>:'],
  ['Outlook 2019', 'fr', 'Le 05/03/2024 10:12, « Jane Doe » <jane@example.com> a écrit :'],
  ['Outlook 2019', 'nl', 'Op 05-03-2024 10:12 heeft Jane Doe <jane@example.com> geschreven:'],
  ['Outlook 2019', 'no', 'Jane Doe <jane@example.com> skrev følgende den 05.03.2024 10:12:'],
  ['Outlook 2019', 'sv', 'Den 5 mars 2024 10:12 skrev "Jane Doe" <jane@example.com> följande:'],
  ['Outlook 2019', 'tr', '"Jane Doe" <jane@example.com>, 5.03.2024 10:12 tarihinde şunu yazdı:'],
  ['Outlook 2019', 'ru', '05.03.2024, 10:12 пользователь "Jane Doe" <jane@example.com> написал:'],
  ['Outlook 2019', 'pl', 'Dnia 5.03.2024 o godz. 10:12 „Jane Doe” <jane@example.com> napisał:'],
  // Proton Mail
  ['Proton', 'en', 'On Tuesday, March 5th, 2024 at 10:12, Jane Doe <jane@example.com> wrote:'],
  // "… sent:" (older BlackBerry and Outlook mobile)
  ['BlackBerry', 'en', 'On Tue, Mar 5, 2024 at 10:12 AM, Jane Doe <jane@example.com> sent:'],
]

/** [client, language, the lines from the separator or header block to the end]. */
const HISTORIES: [string, string, string[]][] = [
  // Outlook desktop and Outlook on the web / Microsoft 365: a rule of underscores, then headers
  [
    'Outlook',
    'en',
    [
      '________________________________',
      'From: Jane Doe <jane@example.com>',
      'Sent: Tuesday, March 5, 2024 10:12 AM',
      'To: Support <support@acme.test>',
      'Subject: Re: Login',
      '',
      'Hello, please try again.',
    ],
  ],
  [
    'Outlook',
    'zh-CN',
    [
      '发件人: Jane Doe <jane@example.com>',
      '发送时间: 2024年3月5日 10:12',
      '收件人: Support <support@acme.test>',
      '主题: 回复: 登录',
      '',
      '你好，请再试一次。',
    ],
  ],
  [
    'Outlook',
    'zh-TW',
    [
      '寄件者: Jane Doe <jane@example.com>',
      '寄件日期: 2024年3月5日 上午 10:12',
      '收件者: Support <support@acme.test>',
      '主旨: 回覆: 登入',
      '',
      '您好，請再試一次。',
    ],
  ],
  [
    'Outlook',
    'es',
    [
      'De: Jane Doe <jane@example.com>',
      'Enviado el: martes, 5 de marzo de 2024 10:12',
      'Para: Support <support@acme.test>',
      'Asunto: RE: Acceso',
      '',
      'Hola, inténtelo de nuevo.',
    ],
  ],
  [
    'Outlook on the web',
    'es',
    [
      '________________________________',
      'De: Jane Doe <jane@example.com>',
      'Enviado: martes, 5 de marzo de 2024 10:12',
      'Para: Support <support@acme.test>',
      'Asunto: RE: Acceso',
      '',
      'Hola, inténtelo de nuevo.',
    ],
  ],
  [
    'Outlook',
    'hi',
    [
      'प्रेषक: Jane Doe <jane@example.com>',
      'भेजा गया: मंगलवार, 5 मार्च 2024 10:12 पूर्वाह्न',
      'प्रति: Support <support@acme.test>',
      'विषय: RE: लॉगिन',
      '',
      'नमस्ते, कृपया फिर से प्रयास करें।',
    ],
  ],
  [
    'Outlook',
    'ar',
    [
      'من: Jane Doe <jane@example.com>',
      'تم الإرسال: الثلاثاء، 5 مارس 2024 10:12 ص',
      'إلى: Support <support@acme.test>',
      'الموضوع: RE: تسجيل الدخول',
      '',
      'مرحبا، يرجى المحاولة مرة أخرى.',
    ],
  ],
  [
    'Outlook',
    'pt-BR',
    [
      'De: Jane Doe <jane@example.com>',
      'Enviada em: terça-feira, 5 de março de 2024 10:12',
      'Para: Support <support@acme.test>',
      'Assunto: RE: Acesso',
      '',
      'Olá, tente de novo.',
    ],
  ],
  [
    'Outlook',
    'pt-PT',
    [
      'De: Jane Doe <jane@example.com>',
      'Enviado: terça-feira, 5 de março de 2024 10:12',
      'Para: Support <support@acme.test>',
      'Assunto: RE: Acesso',
      '',
      'Olá, tente de novo.',
    ],
  ],
  [
    'Outlook',
    'bn',
    [
      'প্রেরক: Jane Doe <jane@example.com>',
      'পাঠানো হয়েছে: মঙ্গলবার, 5 মার্চ, 2024 10:12 AM',
      'প্রাপক: Support <support@acme.test>',
      'বিষয়: RE: লগইন',
      '',
      'নমস্কার, আবার চেষ্টা করুন।',
    ],
  ],
  [
    'Outlook',
    'ru',
    [
      'От: Jane Doe <jane@example.com>',
      'Отправлено: 5 марта 2024 г. 10:12',
      'Кому: Support <support@acme.test>',
      'Тема: RE: Вход',
      '',
      'Здравствуйте, попробуйте ещё раз.',
    ],
  ],
  [
    'Outlook',
    'ja',
    [
      '差出人: Jane Doe <jane@example.com>',
      '送信日時: 2024年3月5日 10:12',
      '宛先: Support <support@acme.test>',
      '件名: RE: ログイン',
      '',
      'もう一度お試しください。',
    ],
  ],
  [
    'Outlook',
    'de',
    [
      'Von: Jane Doe <jane@example.com>',
      'Gesendet: Dienstag, 5. März 2024 10:12',
      'An: Support <support@acme.test>',
      'Betreff: AW: Anmeldung',
      '',
      'Hallo, bitte noch einmal versuchen.',
    ],
  ],
  [
    'Outlook',
    'fr',
    [
      'De : Jane Doe <jane@example.com>',
      'Envoyé : mardi 5 mars 2024 10:12',
      'À : Support <support@acme.test>',
      'Objet : RE: Connexion',
      '',
      'Bonjour, veuillez réessayer.',
    ],
  ],
  [
    'Outlook',
    'it',
    ['Da: Jane Doe <jane@example.com>', 'Inviato: martedì 5 marzo 2024 10:12', 'A: Support <support@acme.test>', 'Oggetto: R: Accesso', '', 'Ciao, riprova.'],
  ],
  [
    'Outlook',
    'tr',
    [
      'Kimden: Jane Doe <jane@example.com>',
      'Gönderildi: 5 Mart 2024 Salı 10:12',
      'Kime: Support <support@acme.test>',
      'Konu: YNT: Giriş',
      '',
      'Merhaba, lütfen tekrar deneyin.',
    ],
  ],
  [
    'Outlook',
    'ko',
    [
      '보낸 사람: Jane Doe <jane@example.com>',
      '보낸 날짜: 2024년 3월 5일 화요일 오전 10:12',
      '받는 사람: Support <support@acme.test>',
      '제목: RE: 로그인',
      '',
      '다시 시도해 주세요.',
    ],
  ],
  [
    'Outlook',
    'vi',
    [
      'Từ: Jane Doe <jane@example.com>',
      'Đã gửi: Thứ Ba, ngày 5 tháng 3 năm 2024 10:12',
      'Đến: Support <support@acme.test>',
      'Chủ đề: RE: Đăng nhập',
      '',
      'Xin chào, vui lòng thử lại.',
    ],
  ],
  [
    'Outlook',
    'pl',
    [
      'Od: Jane Doe <jane@example.com>',
      'Wysłano: wtorek, 5 marca 2024 10:12',
      'Do: Support <support@acme.test>',
      'Temat: RE: Logowanie',
      '',
      'Dzień dobry, proszę spróbować ponownie.',
    ],
  ],
  [
    'Outlook',
    'nl',
    [
      'Van: Jane Doe <jane@example.com>',
      'Verzonden: dinsdag 5 maart 2024 10:12',
      'Aan: Support <support@acme.test>',
      'Onderwerp: RE: Inloggen',
      '',
      'Hallo, probeer het opnieuw.',
    ],
  ],
  [
    'Outlook',
    'id',
    [
      'Dari: Jane Doe <jane@example.com>',
      'Dikirim: Selasa, 05 Maret 2024 10.12',
      'Kepada: Support <support@acme.test>',
      'Perihal: RE: Masuk',
      '',
      'Halo, silakan coba lagi.',
    ],
  ],
  [
    'Outlook',
    'th',
    ['จาก: Jane Doe <jane@example.com>', 'ส่ง: วันอังคารที่ 5 มีนาคม 2024 10:12', 'ถึง: Support <support@acme.test>', 'เรื่อง: RE: เข้าสู่ระบบ', '', 'สวัสดี โปรดลองอีกครั้ง'],
  ],
  [
    'Outlook',
    'da',
    ['Fra: Jane Doe <jane@example.com>', 'Sendt: 5. marts 2024 10:12', 'Til: Support <support@acme.test>', 'Emne: SV: Login', '', 'Hej, prøv igen.'],
  ],
  [
    'Outlook',
    'sv',
    [
      'Från: Jane Doe <jane@example.com>',
      'Skickat: den 5 mars 2024 10:12',
      'Till: Support <support@acme.test>',
      'Ämne: SV: Inloggning',
      '',
      'Hej, försök igen.',
    ],
  ],
  [
    'Outlook',
    'no',
    [
      'Fra: Jane Doe <jane@example.com>',
      'Sendt: tirsdag 5. mars 2024 10:12',
      'Til: Support <support@acme.test>',
      'Emne: SV: Pålogging',
      '',
      'Hei, prøv igjen.',
    ],
  ],
  // Outlook for Mac and the new Outlook: Date instead of Sent, no blank line before the body
  [
    'Outlook for Mac',
    'en',
    [
      'From: Jane Doe <jane@example.com>',
      'Date: Tuesday, 5 March 2024 at 10:12',
      'To: Support <support@acme.test>',
      'Subject: Re: Login',
      'Hello, please try again.',
    ],
  ],
  // Outlook desktop, plain text: the old separator
  [
    'Outlook',
    'en, original message',
    [
      '-----Original Message-----',
      'From: Jane Doe <jane@example.com>',
      'Sent: Tuesday, March 5, 2024 10:12 AM',
      'To: Support',
      'Subject: Login',
      '',
      'Old text',
    ],
  ],
  [
    'Outlook',
    'da, original message',
    ['-----Oprindelig meddelelse-----', 'Fra: Jane Doe <jane@example.com>', 'Sendt: 5. marts 2024 10:12', 'Til: Support', 'Emne: Login', '', 'Gammel tekst'],
  ],
  [
    'Outlook',
    'fr, original message',
    [
      "-----Message d'origine-----",
      'De : Jane Doe <jane@example.com>',
      'Envoyé : mardi 5 mars 2024 10:12',
      'À : Support',
      'Objet : Connexion',
      '',
      'Ancien texte',
    ],
  ],
  [
    'Outlook',
    'es, original message',
    [
      '-----Mensaje original-----',
      'De: Jane Doe <jane@example.com>',
      'Enviado el: martes, 5 de marzo de 2024 10:12',
      'Para: Support',
      'Asunto: Acceso',
      '',
      'Texto antiguo',
    ],
  ],
  [
    'Outlook',
    'tr, original message',
    ['-----Özgün İleti-----', 'Kimden: Jane Doe <jane@example.com>', 'Gönderildi: 5 Mart 2024 Salı 10:12', 'Kime: Support', 'Konu: Giriş', '', 'Eski metin'],
  ],
  [
    'Outlook',
    'zh, original message',
    ['-----原始邮件-----', '发件人: Jane Doe <jane@example.com>', '发送时间: 2024年3月5日 10:12', '收件人: Support', '主题: 登录', '', '旧的文字'],
  ],
  [
    'Outlook',
    'ko, original message',
    [
      '-----원본 메시지-----',
      '보낸 사람: Jane Doe <jane@example.com>',
      '보낸 날짜: 2024년 3월 5일 화요일 오전 10:12',
      '받는 사람: Support',
      '제목: 로그인',
      '',
      '이전 글',
    ],
  ],
  [
    'Outlook',
    'id, original message',
    ['-----Pesan Asli-----', 'Dari: Jane Doe <jane@example.com>', 'Dikirim: Selasa, 05 Maret 2024 10.12', 'Kepada: Support', 'Perihal: Masuk', '', 'Teks lama'],
  ],
  [
    'Outlook',
    'sv, original message',
    [
      '-----Ursprungligt meddelande-----',
      'Från: Jane Doe <jane@example.com>',
      'Skickat: den 5 mars 2024 10:12',
      'Till: Support',
      'Ämne: Inloggning',
      '',
      'Gammal text',
    ],
  ],
  [
    'Outlook',
    'no, original message',
    ['-----Opprinnelig melding-----', 'Fra: Jane Doe <jane@example.com>', 'Sendt: 5. mars 2024 10:12', 'Til: Support', 'Emne: Pålogging', '', 'Gammel tekst'],
  ],
  [
    'Outlook',
    'ja, original message',
    [
      '-----Original Message-----',
      '差出人: Jane Doe <jane@example.com>',
      '送信日時: 2024年3月5日 10:12',
      '宛先: Support',
      '件名: ログイン',
      '',
      '古いテキスト',
    ],
  ],
  // Older mail programs (talon's "Reply Message" and "Antwort Nachricht")
  [
    'older clients',
    'en, reply message',
    ['----- Reply Message -----', 'From: Jane Doe <jane@example.com>', 'To: Support', 'Sent: 05/03/2024 10:12', '', 'Old text'],
  ],
  [
    'older clients',
    'de, Antwort Nachricht',
    ['----- Antwort Nachricht -----', 'Von: Jane Doe <jane@example.com>', 'An: Support', 'Datum: 05.03.2024 10:12', '', 'Alter Text'],
  ],
  // Samsung Email and other Android mail apps
  [
    'Samsung',
    'en',
    [
      '-------- Original message --------',
      'From: Jane Doe <jane@example.com> ',
      'Date: 05/03/2024 10:12 (GMT+01:00) ',
      'To: Support <support@acme.test> ',
      'Subject: Re: Login ',
      '',
      'Old text',
    ],
  ],
  [
    'Samsung',
    'de',
    [
      '-------- Ursprüngliche Nachricht --------',
      'Von: Jane Doe <jane@example.com> ',
      'Datum: 05.03.24 10:12 (GMT+01:00) ',
      'An: Support <support@acme.test> ',
      'Betreff: Re: Anmeldung ',
      '',
      'Alter Text',
    ],
  ],
  [
    'Samsung',
    'es',
    [
      '-------- Mensaje original --------',
      'De: Jane Doe <jane@example.com> ',
      'Fecha: 5/3/24 10:12 (GMT+01:00) ',
      'Para: Support <support@acme.test> ',
      'Asunto: Re: Acceso ',
      '',
      'Texto antiguo',
    ],
  ],
  [
    'Samsung',
    'fr',
    [
      "-------- Message d'origine --------",
      'De : Jane Doe <jane@example.com> ',
      'Date : 05/03/2024 10:12 (GMT+01:00) ',
      'À : Support <support@acme.test> ',
      'Objet : Re: Connexion ',
      '',
      'Ancien texte',
    ],
  ],
  [
    'Samsung',
    'it',
    [
      '-------- Messaggio originale --------',
      'Da: Jane Doe <jane@example.com> ',
      'Data: 05/03/24 10:12 (GMT+01:00) ',
      'A: Support <support@acme.test> ',
      'Oggetto: Re: Accesso ',
      '',
      'Vecchio testo',
    ],
  ],
  [
    'Samsung',
    'pt',
    [
      '-------- Mensagem original --------',
      'De: Jane Doe <jane@example.com> ',
      'Data: 05/03/2024 10:12 (GMT-03:00) ',
      'Para: Support <support@acme.test> ',
      'Assunto: Re: Acesso ',
      '',
      'Texto antigo',
    ],
  ],
  [
    'Samsung',
    'ru',
    [
      '-------- Исходное сообщение --------',
      'От: Jane Doe <jane@example.com> ',
      'Дата: 05.03.2024 10:12 (GMT+03:00) ',
      'Кому: Support <support@acme.test> ',
      'Тема: Re: Вход ',
      '',
      'Старый текст',
    ],
  ],
  [
    'Samsung',
    'pl',
    [
      '-------- Oryginalna wiadomość --------',
      'Od: Jane Doe <jane@example.com> ',
      'Data: 05.03.2024 10:12 (GMT+01:00) ',
      'Do: Support <support@acme.test> ',
      'Temat: Re: Logowanie ',
      '',
      'Stary tekst',
    ],
  ],
  [
    'Samsung',
    'nl',
    [
      '-------- Oorspronkelijk bericht --------',
      'Van: Jane Doe <jane@example.com> ',
      'Datum: 05-03-2024 10:12 (GMT+01:00) ',
      'Aan: Support <support@acme.test> ',
      'Onderwerp: Re: Inloggen ',
      '',
      'Oude tekst',
    ],
  ],
  [
    'Samsung',
    'tr',
    [
      '-------- Orijinal mesaj --------',
      'Kimden: Jane Doe <jane@example.com> ',
      'Tarih: 5.03.2024 10:12 (GMT+03:00) ',
      'Alıcı: Support <support@acme.test> ',
      'Konu: Re: Giriş ',
      '',
      'Eski metin',
    ],
  ],
  [
    'Samsung',
    'ko',
    [
      '-------- 원본 이메일 --------',
      '발신: Jane Doe <jane@example.com> ',
      '날짜: 24/3/5 오전 10:12 (GMT+09:00) ',
      '수신: Support <support@acme.test> ',
      '제목: Re: 로그인 ',
      '',
      '이전 글',
    ],
  ],
  [
    'Samsung',
    'ja',
    [
      '-------- 元のメッセージ --------',
      '差出人: Jane Doe <jane@example.com> ',
      '日付: 2024/03/05 10:12 (GMT+09:00) ',
      '宛先: Support <support@acme.test> ',
      '件名: Re: ログイン ',
      '',
      '古いテキスト',
    ],
  ],
  [
    'Samsung',
    'zh',
    [
      '-------- 原始邮件 --------',
      '发件人: Jane Doe <jane@example.com> ',
      '日期: 2024年3月5日 10:12 (GMT+08:00) ',
      '收件人: Support <support@acme.test> ',
      '主题: Re: 登录 ',
      '',
      '旧的文字',
    ],
  ],
  [
    'Samsung',
    'vi',
    [
      '-------- Thư gốc --------',
      'Từ: Jane Doe <jane@example.com> ',
      'Ngày: 05/03/2024 10:12 (GMT+07:00) ',
      'Đến: Support <support@acme.test> ',
      'Chủ đề: Re: Đăng nhập ',
      '',
      'Văn bản cũ',
    ],
  ],
  [
    'Samsung',
    'id',
    [
      '-------- Pesan asli --------',
      'Dari: Jane Doe <jane@example.com> ',
      'Tanggal: 05/03/2024 10.12 (GMT+07:00) ',
      'Ke: Support <support@acme.test> ',
      'Subjek: Re: Masuk ',
      '',
      'Teks lama',
    ],
  ],
  [
    'Samsung',
    'th',
    [
      '-------- ข้อความต้นฉบับ --------',
      'จาก: Jane Doe <jane@example.com> ',
      'วันที่: 05/03/2024 10:12 (GMT+07:00) ',
      'ถึง: Support <support@acme.test> ',
      'เรื่อง: Re: เข้าสู่ระบบ ',
      '',
      'ข้อความเก่า',
    ],
  ],
  [
    'Samsung',
    'ar',
    [
      '-------- الرسالة الأصلية --------',
      'من: Jane Doe <jane@example.com> ',
      'التاريخ: 05/03/2024 10:12 (GMT+03:00) ',
      'إلى: Support <support@acme.test> ',
      'الموضوع: Re: تسجيل الدخول ',
      '',
      'نص قديم',
    ],
  ],
  [
    'Samsung',
    'hi',
    [
      '-------- मूल संदेश --------',
      'प्रेषक: Jane Doe <jane@example.com> ',
      'दिनांक: 05/03/2024 10:12 (GMT+05:30) ',
      'प्रति: Support <support@acme.test> ',
      'विषय: Re: लॉगिन ',
      '',
      'पुराना पाठ',
    ],
  ],
  [
    'Samsung',
    'bn',
    [
      '-------- মূল বার্তা --------',
      'প্রেরক: Jane Doe <jane@example.com> ',
      'তারিখ: 05/03/2024 10:12 (GMT+06:00) ',
      'প্রাপক: Support <support@acme.test> ',
      'বিষয়: Re: লগইন ',
      '',
      'পুরনো লেখা',
    ],
  ],
  [
    'Samsung',
    'da',
    [
      '-------- Oprindelig meddelelse --------',
      'Fra: Jane Doe <jane@example.com> ',
      'Dato: 05-03-2024 10:12 (GMT+01:00) ',
      'Til: Support <support@acme.test> ',
      'Emne: Re: Login ',
      '',
      'Gammel tekst',
    ],
  ],
  [
    'Samsung',
    'sv',
    [
      '-------- Originalmeddelande --------',
      'Från: Jane Doe <jane@example.com> ',
      'Datum: 2024-03-05 10:12 (GMT+01:00) ',
      'Till: Support <support@acme.test> ',
      'Ämne: Re: Inloggning ',
      '',
      'Gammal text',
    ],
  ],
  [
    'Samsung',
    'no',
    [
      '-------- Opprinnelig melding --------',
      'Fra: Jane Doe <jane@example.com> ',
      'Dato: 05.03.2024 10:12 (GMT+01:00) ',
      'Til: Support <support@acme.test> ',
      'Emne: Re: Pålogging ',
      '',
      'Gammel tekst',
    ],
  ],
  // GMX, Web.de and mail.com: the header block starts with the date ("… sent:")
  [
    'GMX',
    'de',
    [
      'Gesendet: Dienstag, 05. März 2024 um 10:12 Uhr',
      'Von: "Jane Doe" <jane@example.com>',
      'An: support@acme.test',
      'Betreff: Re: Anmeldung',
      '',
      'Hallo, bitte noch einmal versuchen.',
    ],
  ],
  [
    'mail.com',
    'en',
    [
      'Sent: Tuesday, March 05, 2024 at 10:12 AM',
      'From: "Jane Doe" <jane@example.com>',
      'To: support@acme.test',
      'Subject: Re: Login',
      '',
      'Hello, please try again.',
    ],
  ],
  [
    'GMX',
    'fr',
    [
      'Envoyé: mardi 5 mars 2024 à 10:12',
      'De: "Jane Doe" <jane@example.com>',
      'À: support@acme.test',
      'Objet: Re: Connexion',
      '',
      'Bonjour, veuillez réessayer.',
    ],
  ],
  [
    'GMX',
    'es',
    [
      'Enviado: martes, 05 de marzo de 2024 a las 10:12',
      'De: "Jane Doe" <jane@example.com>',
      'Para: support@acme.test',
      'Asunto: Re: Acceso',
      '',
      'Hola, inténtelo de nuevo.',
    ],
  ],
  // Header blocks that start with Date:
  ['Lotus Notes', 'en', ['Date: 05/03/2024 10:12', 'From: Jane Doe <jane@example.com>', 'To: support@acme.test', 'Subject: Re: Login', '', 'Old text']],
  ['webmail', 'en, date and sender only', ['Date: Tue, 5 Mar 2024 10:12:00 +0100', 'From: Jane Doe <jane@example.com>', '', 'Old text']],
  [
    'Outlook',
    'en, an address cut short by a full stop',
    ['From: Jane Doe <jane@example.org.', 'Sent: Thursday, 28 January 2016 8:16 p.m.', 'To: Support', 'Subject: (no subject)', '', 'Old text'],
  ],
  [
    'Outlook, converted to text',
    'en, a blank line between the headers',
    [
      'From: Jane Doe <jane@example.com>',
      '',
      'Sent: Tuesday, March 5, 2024 10:12 AM',
      '',
      'To: Support <support@acme.test>',
      '',
      'Subject: Re: Login',
      '',
      'Old text',
    ],
  ],
  // Thunderbird: the original message with its headers inline (Subject first)
  [
    'Thunderbird',
    'en, forward',
    [
      '-------- Forwarded Message --------',
      'Subject: \tLogin',
      'Date: \tTue, 5 Mar 2024 10:12:00 +0100',
      'From: \tJane Doe <jane@example.com>',
      'To: \tsupport@acme.test',
      '',
      'Old text',
    ],
  ],
  [
    'Thunderbird',
    'de, forward',
    [
      '-------- Weitergeleitete Nachricht --------',
      'Betreff: \tAnmeldung',
      'Datum: \tTue, 5 Mar 2024 10:12:00 +0100',
      'Von: \tJane Doe <jane@example.com>',
      'An: \tsupport@acme.test',
      'Kopie (CC): \tMax <max@example.com>',
      '',
      'Alter Text',
    ],
  ],
  [
    'Thunderbird',
    'fr, forward',
    [
      '-------- Message transféré --------',
      'Sujet : \tConnexion',
      'Date : \tTue, 5 Mar 2024 10:12:00 +0100',
      'De : \tJane Doe <jane@example.com>',
      'Pour : \tsupport@acme.test',
      '',
      'Ancien texte',
    ],
  ],
  [
    'Thunderbird',
    'ru, forward',
    [
      '-------- Перенаправленное сообщение --------',
      'Тема: \tВход',
      'Дата: \tTue, 5 Mar 2024 10:12:00 +0100',
      'От: \tJane Doe <jane@example.com>',
      'Кому: \tsupport@acme.test',
      '',
      'Старый текст',
    ],
  ],
  [
    'Thunderbird',
    'pl, forward',
    [
      '--- Treść przekazanej wiadomości ---',
      'Temat: \tLogowanie',
      'Data: \tTue, 5 Mar 2024 10:12:00 +0100',
      'Nadawca: \tJane Doe <jane@example.com>',
      'Adresat: \tsupport@acme.test',
      '',
      'Stary tekst',
    ],
  ],
  [
    'Thunderbird',
    'tr, forward',
    [
      '-------- İletilen İleti --------',
      'Konu: \tGiriş',
      'Tarih: \tTue, 5 Mar 2024 10:12:00 +0100',
      'Kimden: \tJane Doe <jane@example.com>',
      'Kime: \tsupport@acme.test',
      '',
      'Eski metin',
    ],
  ],
  // Gmail forwards (the same separator in every language, localised header names)
  [
    'Gmail',
    'en, forward',
    [
      '---------- Forwarded message ---------',
      'From: Jane Doe <jane@example.com>',
      'Date: Tue, Mar 5, 2024 at 10:12 AM',
      'Subject: Login',
      'To: <support@acme.test>',
      '',
      'Old text',
    ],
  ],
  [
    'Gmail',
    'de, forward',
    [
      '---------- Weitergeleitete Nachricht ---------',
      'Von: Jane Doe <jane@example.com>',
      'Date: Di., 5. März 2024 um 10:12 Uhr',
      'Subject: Anmeldung',
      'To: <support@acme.test>',
      '',
      'Alter Text',
    ],
  ],
  // Apple Mail forwards
  [
    'Apple Mail',
    'en, forward',
    [
      'Begin forwarded message:',
      '',
      'From: Jane Doe <jane@example.com>',
      'Subject: Login',
      'Date: 5 March 2024 at 10:12:00 CET',
      'To: support@acme.test',
      '',
      'Old text',
    ],
  ],
  [
    'Apple Mail',
    'da, forward',
    [
      'Start på videresendt besked:',
      '',
      'Fra: Jane Doe <jane@example.com>',
      'Emne: Login',
      'Dato: 5. marts 2024 kl. 10.12.00 CET',
      'Til: support@acme.test',
      '',
      'Gammel tekst',
    ],
  ],
  [
    'Apple Mail',
    'pl, forward',
    [
      'Początek przekazywanej wiadomości:',
      '',
      'Od: Jane Doe <jane@example.com>',
      'Temat: Logowanie',
      'Data: 5 marca 2024 10:12:00 CET',
      'Do: support@acme.test',
      '',
      'Stary tekst',
    ],
  ],
  [
    'Apple Mail',
    'pt-BR, forward',
    [
      'Início da mensagem encaminhada:',
      '',
      'De: Jane Doe <jane@example.com>',
      'Assunto: Acesso',
      'Data: 5 de março de 2024 10:12:00 BRT',
      'Para: support@acme.test',
      '',
      'Texto antigo',
    ],
  ],
  // Yahoo Mail forwards
  [
    'Yahoo',
    'en, forward',
    [
      '----- Forwarded Message -----',
      'From: Jane Doe <jane@example.com>',
      'To: support@acme.test',
      'Sent: Tuesday, March 5, 2024, 10:12:00 AM GMT+1',
      'Subject: Login',
      '',
      'Old text',
    ],
  ],
  [
    'Yahoo',
    'fr, forward',
    [
      '----- Message transmis -----',
      'De : Jane Doe <jane@example.com>',
      'À : support@acme.test',
      'Envoyé : mardi 5 mars 2024 à 10:12:00 UTC+1',
      'Objet : Connexion',
      '',
      'Ancien texte',
    ],
  ],
  [
    'Yahoo',
    'tr, forward',
    [
      '----- İletilmiş Mesaj -----',
      'Kimden: Jane Doe <jane@example.com>',
      'Kime: support@acme.test',
      'Gönderilen: 5 Mart 2024 Salı 10:12:00 GMT+3',
      'Konu: Giriş',
      '',
      'Eski metin',
    ],
  ],
  // Mail.ru and Yandex forwards
  [
    'Mail.ru',
    'ru, forward',
    [
      '-------- Пересылаемое сообщение --------',
      'От кого: Jane Doe <jane@example.com>',
      'Кому: support@acme.test',
      'Дата: Вторник, 5 марта 2024, 10:12 +03:00',
      'Тема: Вход',
      '',
      'Старый текст',
    ],
  ],
  [
    'Yandex',
    'ru, forward',
    [
      '-------- Пересылаемое сообщение --------',
      '05.03.2024, 10:12, "Jane Doe" <jane@example.com>:',
      '',
      'Старый текст',
      '',
      '-------- Конец пересылаемого сообщения --------',
    ],
  ],
  // QQ Mail and Foxmail
  [
    'QQ Mail',
    'zh',
    [
      '------------------ 原始邮件 ------------------',
      '发件人: "Jane Doe"<jane@example.com>;',
      '发送时间: 2024年3月5日(星期二) 上午10:12',
      '收件人: "Support"<support@acme.test>;',
      '主题: 回复: 登录',
      '',
      '旧的文字',
    ],
  ],
  [
    'Foxmail',
    'en',
    [
      '------------------ Original ------------------',
      'From: "Jane Doe"<jane@example.com>;',
      'Date: Tue, Mar 5, 2024 10:12 AM',
      'To: "Support"<support@acme.test>;',
      'Subject: Re: Login',
      '',
      'Old text',
    ],
  ],
]

describe('splitReply: common mail clients in the most used languages', () => {
  describe('an attribution and its quote are folded, the reply above stays', () => {
    for (const [client, language, attribution] of ATTRIBUTIONS) {
      it(`${client} (${language})`, () => {
        const body = text(REPLY, '', attribution, ...QUOTE)
        expectSplit(body, REPLY, text(attribution, ...QUOTE))
      })
    }
  })

  describe('a separator or header block and the history under it are folded', () => {
    for (const [client, language, history] of HISTORIES) {
      it(`${client} (${language})`, () => {
        const body = text(REPLY, '', ...history)
        expectSplit(body, REPLY, text(...history).trim())
      })
    }
  })

  describe('an attribution on the same line as the reply keeps the reply visible', () => {
    const cases: [string, string, string][] = [
      ['en', 'Thanks, that fixed it.', 'On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com> wrote:'],
      ['de', 'Danke, jetzt geht es!', 'Am Di., 5. März 2024 um 10:12 Uhr schrieb Jane Doe <jane@example.com>:'],
      ['fr', "Merci, c'est réglé.", 'Le mar. 5 mars 2024 à 10:12, Jane Doe <jane@example.com> a écrit :'],
      ['es', 'Gracias, ya funciona.', 'El mar, 5 mar 2024 a las 10:12, Jane Doe (<jane@example.com>) escribió:'],
      ['pl', 'Dziękuję, zgoda.', 'wt., 5 mar 2024 o 10:12 Jane Doe <jane@example.com> napisał(a):'],
      ['zh', '好的，谢谢。', 'Jane Doe <jane@example.com> 于2024年3月5日周二 10:12写道：'],
      ['no sentence end', 'Thanks', 'On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com> wrote:'],
      ['an address in the reply', 'Please write to bob@example.com from now on.', 'On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com> wrote:'],
    ]
    for (const [language, reply, attribution] of cases) {
      it(`${language}: "${reply} ${attribution.slice(0, 20)}…"`, () => {
        const body = text(`${reply} ${attribution}`, ...QUOTE)
        expectSplit(body, reply, text(attribution, ...QUOTE))
      })
    }

    it('an attribution wrapped over two lines, its first half on the reply line', () => {
      const body = text('Works now. On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <', 'jane@example.com> wrote:', '', ...QUOTE)
      expectSplit(body, 'Works now.', text('On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <', 'jane@example.com> wrote:', '', ...QUOTE))
    })

    it('a line with an address right above the attribution stays visible', () => {
      const body = text(
        'Hi,',
        '',
        'Please write to bob@example.com from now on.',
        'On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com> wrote:',
        ...QUOTE,
      )
      expectSplit(
        body,
        'Hi,\n\nPlease write to bob@example.com from now on.',
        text('On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com> wrote:', ...QUOTE),
      )
    })

    it('the lines above the one with the attribution stay too', () => {
      const body = text('Hello,', '', 'see the log attached. Thanks! On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com> wrote:', ...QUOTE)
      expectSplit(body, 'Hello,\n\nsee the log attached. Thanks!', text('On Tue, Mar 5, 2024 at 10:12 AM Jane Doe <jane@example.com> wrote:', ...QUOTE))
    })

    it('a sentence that only mentions a date and someone writing stays whole', () => {
      const bodies = [
        text('I called you. On Monday 5 March at 10:00 my colleague wrote:', '', 'the server is down'),
        text('Tack, vi hörs den 3 mars 2025 kl 10.'),
        text('Спасибо, в 2024 году клиент пишет: всё хорошо.'),
        text('شكرا، في 2024 كتب لنا العميل: كل شيء جيد.'),
        text('धन्यवाद, 2025 को उन्होंने ने लिखा: सब ठीक है।'),
        text('Obrigado, em 2024 o cliente escreveu muito.'),
        text('Давайте созвонимся 12 марта 2026 г. в 14:00, если вам удобно.'),
        text('2026年3月12日(木) 14:00 からいかがでしょうか。'),
        text('Vào ngày 5 tháng 3 tôi đã viết: cần hỗ trợ gấp.'),
        text('Pada tanggal 5 Maret saya menulis: tolong dibantu.'),
      ]
      for (const body of bodies) expect(splitReply(body), body).toEqual({ visible: body, folded: '' })
    })
  })

  describe('text the customer wrote that looks like headers stays visible', () => {
    it('a meeting note with Date: and other fields', () => {
      const body = text('Here are the details:', '', 'Date: 5 March 2024', 'Time: 10:00', 'Place: our office')
      expect(splitReply(body)).toEqual({ visible: body, folded: '' })
    })

    it('"Sent:" and "From:" in running text', () => {
      const body = text('Sent: the invoice, twice.', 'From: my side everything looks fine.', '', 'Best, Ann')
      expect(splitReply(body)).toEqual({ visible: body, folded: '' })
    })

    it('"On … I sent:" followed by a list', () => {
      const body = text('On Monday 5 March 2024 at 10:00 I sent:', '- the invoice', '- the receipt', '', 'Did you get them?')
      expect(splitReply(body)).toEqual({ visible: body, folded: '' })
    })

    it('a dashed heading of several words that ends with "wrote"', () => {
      const body = text('--- Here is the answer to what my colleague from accounting wrote ---', 'The invoice is paid.')
      expect(splitReply(body)).toEqual({ visible: body, folded: '' })
    })

    it('a line that merely names a separator', () => {
      const body = text('Please ignore the original message.', 'Pesan asli saya salah.')
      expect(splitReply(body)).toEqual({ visible: body, folded: '' })
    })
  })
})

describe('the checks added for the common clients stay linear', () => {
  // Each body aims at one pattern: long runs of lower-case letters with or without a full stop
  // after them (a sentence end found by backtracking over the word costs the square of the
  // line), runs of dots and spaces, many openers on one line, header lines split by blank lines,
  // rules around words.
  const hostile = [
    Array.from({ length: 1000 }, () => `${'a'.repeat(900)} On 1 Jane <jane@example.com> wrote:`).join('\n'),
    Array.from({ length: 1000 }, () => `${'a'.repeat(900)}. On 1 Jane <jane@example.com> wrote:`).join('\n'),
    Array.from({ length: 1000 }, () => `${'.'.repeat(900)} On 1 wrote:`).join('\n'),
    Array.from({ length: 1000 }, () => `x${' '.repeat(950)}On 5 Mar 2024 Jane wrote:${' '.repeat(20)}`).join('\n'),
    Array.from({ length: 1000 }, () => Array.from({ length: 60 }, () => 'Yes. On 1').join(' ') + ' Jane <jane@example.com> wrote:').join('\n'),
    Array.from({ length: 1000 }, () => `jane@example.com ${'abc. '.repeat(190)}On 1 Jane <jane@example.com> wrote:`).join('\n'),
    Array.from({ length: 50000 }, (_, i) => (i % 2 ? '' : 'From: Jane <jane@example.com>')).join('\n'),
    Array.from({ length: 20000 }, () => `${'-'.repeat(400)} original ${'='.repeat(400)} x`).join('\n'),
    Array.from({ length: 20000 }, () => `${'-'.repeat(140)} Jane wrote ${'-'.repeat(140)}`).join('\n'),
  ]

  it('in plain text', () => {
    const started = Date.now()
    for (const body of hostile) splitReply(body)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('in HTML', () => {
    const started = Date.now()
    for (const body of hostile.slice(0, 5))
      splitReplyHtml(
        body
          .split('\n')
          .map((line) => `<div>${line.replace(/</g, '&lt;')}</div>`)
          .join(''),
      )
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

/** Parses and serialises a fragment the way splitReplyHtml writes its results. */
function canonical(html: string): string {
  return render(parseDocument(html).children, { encodeEntities: 'utf8' }).trim()
}

/** A reply and the history after it, as siblings: the reply stays, the history folds. */
function expectHtmlSplit(reply: string, history: string) {
  const { visible, folded } = splitReplyHtml(reply + history)
  expect({ visible, folded }).toEqual({ visible: canonical(reply), folded: canonical(history) })
  expectWellFormed(visible)
  expectWellFormed(folded)
}

describe('splitReplyHtml: common mail clients in the most used languages', () => {
  it('Gmail (vi): gmail_attr above the gmail_quote blockquote', () => {
    expectHtmlSplit(
      '<div dir="ltr">Cảm ơn, đã được rồi.</div>',
      '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Vào Th 3, 5 thg 3, 2024 vào lúc 10:12 Jane Doe &lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt; đã viết:<br></div>' +
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Xin chào, vui lòng thử lại.</div></blockquote></div>',
    )
  })

  it('Gmail (ar): a right-to-left attribution', () => {
    expectHtmlSplit(
      '<div dir="rtl">شكرا، يعمل الآن.</div>',
      '<br><div class="gmail_quote"><div dir="rtl" class="gmail_attr">‏في الثلاثاء، 5 مارس 2024 في 10:12 ص تمت كتابة ما يلي بواسطة ‪Jane Doe‬‏ &lt;‪<a href="mailto:jane@example.com">jane@example.com</a>‬‏&gt;:‏<br></div>' +
        '<blockquote class="gmail_quote"><div dir="rtl">مرحبا</div></blockquote></div>',
    )
  })

  it('Gmail (id): a forward', () => {
    expectHtmlSplit(
      '<div dir="ltr">Mohon dibantu.</div>',
      '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>Dari: <strong class="gmail_sendername" dir="auto">Jane Doe</strong> <span dir="auto">&lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt;</span><br>Date: Sel, 5 Mar 2024 pukul 10.12<br>Subject: Masuk<br>To: &lt;<a href="mailto:support@acme.test">support@acme.test</a>&gt;<br></div><br><br><div dir="ltr">Teks lama</div></div>',
    )
  })

  it('Outlook desktop (de): the header block under a top border', () => {
    expectHtmlSplit(
      '<p class="MsoNormal">Danke, jetzt geht es.</p>',
      '<p class="MsoNormal">&nbsp;</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>Von:</b> Jane Doe &lt;jane@example.com&gt; <br><b>Gesendet:</b> Dienstag, 5. März 2024 10:12<br><b>An:</b> Support &lt;support@acme.test&gt;<br><b>Betreff:</b> AW: Anmeldung</p></div>' +
        '<p class="MsoNormal">&nbsp;</p><p class="MsoNormal">Hallo, bitte noch einmal versuchen.</p>',
    )
  })

  it('Outlook on the web (ja): divRplyFwdMsg after a rule', () => {
    expectHtmlSplit(
      '<div>ありがとうございます。直りました。</div>',
      '<hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>差出人:</b> Jane Doe &lt;jane@example.com&gt;<br><b>送信日時:</b> 2024年3月5日 10:12<br><b>宛先:</b> Support &lt;support@acme.test&gt;<br><b>件名:</b> RE: ログイン</font><div>&nbsp;</div></div><div>もう一度お試しください。</div>',
    )
  })

  it('Apple Mail (fr): the attribution inside the cite blockquote', () => {
    expectHtmlSplit(
      '<div>Merci, c’est réglé.</div>',
      '<div><br></div><div><br><blockquote type="cite"><div>Le 5 mars 2024 à 10:12, Jane Doe &lt;jane@example.com&gt; a écrit :</div><br class="Apple-interchange-newline"><div><div>Bonjour, veuillez réessayer.</div></div></blockquote></div>',
    )
  })

  it('Thunderbird (de): moz-cite-prefix', () => {
    expectHtmlSplit(
      '<p>Danke, jetzt geht es.</p>',
      '<div class="moz-cite-prefix">Am 05.03.24 um 10:12 schrieb Jane Doe:<br></div><blockquote type="cite" cite="mid:abc@example.com"><p>Hallo, bitte noch einmal versuchen.</p></blockquote>',
    )
  })

  it('Yahoo (es): yahoo_quoted without a blockquote', () => {
    expectHtmlSplit(
      '<div class="yahoo-style-wrap"><div dir="ltr">Gracias, ya funciona.</div></div>',
      '<div id="yahoo_quoted_123" class="yahoo_quoted"><div style="font-family:Helvetica, Arial, sans-serif;font-size:13px;color:#26282a;"><div>El martes, 5 de marzo de 2024, 10:12:00 CET, Jane Doe &lt;jane@example.com&gt; escribió:</div><div><br></div><div><br></div><div><div dir="ltr">Hola, inténtelo de nuevo.</div></div></div></div>',
    )
  })

  it('Samsung Email (ko): an original message separator and headers', () => {
    expectHtmlSplit(
      '<div dir="auto">감사합니다. 해결되었습니다.</div>',
      '<div dir="auto"><br></div><div><br></div><div align="left" dir="auto" style="font-size:100%;color:#000000"><div>-------- 원본 이메일 --------</div><div>발신: Jane Doe &lt;jane@example.com&gt; </div><div>날짜: 24/3/5 오전 10:12 (GMT+09:00) </div><div>수신: Support &lt;support@acme.test&gt; </div><div>제목: Re: 로그인 </div><div><br></div></div><div dir="auto">이전 글</div>',
    )
  })

  it('Android (en): "---- Jane Doe wrote ----" above the quote', () => {
    expectHtmlSplit(
      '<div>On my way.</div>',
      '<div><br></div><div>---- Jane Doe wrote ----</div><div><br></div><blockquote><div>Are you coming?</div></blockquote>',
    )
  })

  it('GMX (de): a header block that starts with Gesendet', () => {
    expectHtmlSplit(
      '<div><div>Danke!</div></div>',
      '<div name="quote" style="margin:10px 5px 5px 10px; padding: 10px 0 10px 10px; border-left:2px solid #C3D9E5;"><div style="margin:0 0 10px 0;"><b>Gesendet:</b>&nbsp;Dienstag, 05. März 2024 um 10:12 Uhr<br><b>Von:</b>&nbsp;"Jane Doe" &lt;jane@example.com&gt;<br><b>An:</b>&nbsp;support@acme.test<br><b>Betreff:</b>&nbsp;Re: Anmeldung</div><div name="quoted-content">Hallo</div></div>',
    )
  })

  it('Mail.ru (ru): the attribution above a styled blockquote', () => {
    expectHtmlSplit(
      '<div>Спасибо, всё работает.</div>',
      '<div>&nbsp;</div><div>Вторник, 5 марта 2024, 10:12 +03:00 от Jane Doe &lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt;:<br>&nbsp;<blockquote style="border-left:1px solid #0857A6; margin:10px; padding:0 0 0 10px;"><div>Здравствуйте, попробуйте ещё раз.</div></blockquote></div>',
    )
  })

  it('Yandex (ru): date, name and address above the blockquote', () => {
    expectHtmlSplit(
      '<div>Спасибо!</div>',
      '<div>&nbsp;</div><div>05.03.2024, 10:12, "Jane Doe" &lt;jane@example.com&gt;:</div><blockquote><div>Здравствуйте</div></blockquote>',
    )
  })

  it('QQ Mail (zh): the original message box', () => {
    expectHtmlSplit(
      '<div>好的，谢谢。</div>',
      '<div><br></div><div style="font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;">------------------&nbsp;原始邮件&nbsp;------------------</div><div style="font-size: 12px;background:#efefef;padding:8px;"><div><b>发件人:</b>&nbsp;"Jane Doe"&lt;jane@example.com&gt;;</div><div><b>发送时间:</b>&nbsp;2024年3月5日(星期二) 上午10:12</div><div><b>收件人:</b>&nbsp;"Support"&lt;support@acme.test&gt;;</div><div><b>主题:</b>&nbsp;回复: 登录</div></div><div>&nbsp;</div><div>旧的文字</div>',
    )
  })

  it('an attribution on the same line as the reply keeps the reply', () => {
    const { visible, folded } = splitReplyHtml(
      '<div>Thanks, that fixed it. On Tue, Mar 5, 2024 at 10:12 AM Jane Doe &lt;jane@example.com&gt; wrote:<br></div><blockquote><div>Hello</div></blockquote>',
    )
    expect({ visible, folded }).toEqual({
      visible: '<div>Thanks, that fixed it.</div>',
      folded: '<div> On Tue, Mar 5, 2024 at 10:12 AM Jane Doe &lt;jane@example.com&gt; wrote:<br></div><blockquote><div>Hello</div></blockquote>',
    })
    expectWellFormed(visible)
    expectWellFormed(folded)
  })

  it('an attribution that starts in a text node of its own on the reply line', () => {
    const { visible, folded } = splitReplyHtml(
      '<div><span>Danke!</span> <span>Am Di., 5. März 2024 um 10:12 Uhr schrieb Jane Doe &lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt;:</span></div><blockquote><div>Hallo</div></blockquote>',
    )
    expect({ visible, folded }).toEqual({
      visible: '<div><span>Danke!</span></div>',
      folded:
        '<div> <span>Am Di., 5. März 2024 um 10:12 Uhr schrieb Jane Doe &lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt;:</span></div><blockquote><div>Hallo</div></blockquote>',
    })
  })
})

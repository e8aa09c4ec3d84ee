// Patterns that recognise the parts of a reply e-mail which are not the customer's new text:
// attribution lines ("On … wrote:"), forwarded/original-message separators, Outlook header blocks,
// signature delimiters and mobile signatures. Every pattern is tested on one line (or on a few
// joined lines for attributions) that is at most MAX_PATTERN_LINE characters long, and none has
// nested unbounded quantifiers, so classification stays linear in the size of the message.

/** Lines longer than this are never attributions, headers, separators or signatures. */
export const MAX_PATTERN_LINE = 1000

/** Blank: only white space, no-break spaces, zero-width characters and byte-order marks. */
export const BLANK = /^[\s\u00a0\u200b-\u200d\u2060\ufeff]*$/

/** Plain-text quoting: `>` after optional indentation. */
export const QUOTED = /^[ \t\u00a0]*>/

/** Start or end of a fenced code block (Markdown): no rule applies inside. */
export const CODE_FENCE = /^[ \t]*(?:```|~~~)/

// --- attributions ------------------------------------------------------------------------

/**
 * Verbs that end an attribution line, in the languages mail clients are localised to
 * ("wrote", "a écrit", "schrieb", "escribió", "ha scritto", "escreveu", "schreef", "napisał",
 * "skrev", "kirjoitti", "írta", "написал", "пише", "yazdı", "đã viết", "menulis", "ने लिखा" ...).
 * Written as whole words.
 */
const WORD_VERBS = [
  'wrote',
  'writes',
  'has written',
  'wrote the following',
  'a écrit',
  'a ecrit',
  'écrit',
  'schrieb',
  'hat geschrieben',
  'geschrieben',
  'escribió',
  'escribio',
  'ha escrito',
  'escreveu',
  'ha scritto',
  'scrisse',
  'schreef',
  'het volgende geschreven',
  'geschreven',
  'napisał\\(a\\)',
  'napisała',
  'napisał',
  'napisal',
  'napisana przez',
  'pisze',
  'skrev',
  'skrev følgende',
  'kirjoitti',
  'írta',
  'napsal\\(a\\)',
  'napsal',
  'napísal',
  'a scris',
  'scrie',
  'yazdı',
  'έγραψε',
  'написал\\(а\\)',
  'написала',
  'написал',
  'написав',
  'написала\\(в\\)',
  'пише',
  'пишет',
  'писал',
  'đã viết',
  'menulis',
  'ने लिखा',
  'লিখেছেন',
  'লিখেছে',
  'כתב',
  'كتب',
  'تمت كتابة ما يلي بواسطة',
]
/**
 * The same in scripts written without spaces ("…10:12写道：", "…님이 작성:", "…>のメール:",
 * "… さんは書きました:", "… 이(가) 쓴 글:", "… เขียนว่า:").
 */
const JOINED_VERBS = ['写道', '寫道', '님이 작성', '님이 씀', '작성', '쓴 글', 'のメール', 'のメッセージ', '書きました', 'เขียนว่า']
/**
 * Words that read as an attribution verb only next to an e-mail address ("… <jane@x> sent:",
 * Hebrew "… מאת Jane <jane@x>:"): on their own they are common in prose.
 */
const WEAK_WORD_VERBS = ['sent', 'מאת']

/** Letters, combining marks (Devanagari, Bengali, Thai vowels) and digits: what a word is made of. */
const WORD_CHAR = '\\p{L}\\p{M}\\p{N}'

function alternatives(words: readonly string[]): string {
  // Mail arrives in NFC; a key typed in another normal form still matches.
  return [...new Set(words.flatMap((word) => [word, word.normalize('NFC')]))].join('|')
}

const VERB = `(?:(?<![${WORD_CHAR}])(?:${alternatives(WORD_VERBS)})(?![${WORD_CHAR}])|(?:${alternatives(JOINED_VERBS)}))`

/** The joined attribution ends with a verb, an optional colon and optional closing dashes. */
export const ENDS_WITH_VERB = new RegExp(`${VERB}\\s*[:：]?\\s*(?:-{2,}\\s*)?$`, 'iu')

/** The joined attribution contains a verb somewhere ("… schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:"). */
export const HAS_VERB = new RegExp(VERB, 'iu')

/** A verb that needs an e-mail address in the attribution to count (see WEAK_WORD_VERBS). */
export const HAS_WEAK_VERB = new RegExp(`(?<![${WORD_CHAR}])(?:${alternatives(WEAK_WORD_VERBS)})(?![${WORD_CHAR}])`, 'iu')

/**
 * Android mail apps (AOSP, HTC, Samsung in this mode): a sender's name and the verb between rules
 * of dashes, "---- Jane Doe wrote ----". Returns the text between the rules when it is a few
 * words, or null (Zoho's longer "---- On … <jane@x> wrote ----" is an ordinary attribution).
 */
export function dashedAttributionText(line: string): string | null {
  const text = line.trim()
  if (text.length > 300 || !text.startsWith('--') || !text.endsWith('--')) return null
  const inner = text.replace(/^-+/, '').replace(/-+$/, '').trim()
  const words = inner.split(/\s+/).length
  return words >= 2 && words <= 6 ? inner : null
}

/** Bidirectional marks and embeddings that right-to-left clients put around names and dates. */
export const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g
export const HAS_BIDI_CONTROL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/

/**
 * Words that open an attribution: "On", "Le", "Am", "El", "Il", "Em", "Op", "Den", "Dnia",
 * "W dniu", "In data", "At", "Quoting" ... optionally after a few dashes ("---- On … wrote ----").
 */
export const STARTS_WITH_OPENER =
  /^[ \t*_-]{0,8}(?:On|Le|Am|El|Il|Em|Op|Den|Dne|Dňa|Dnia|W dniu|In data|At|Quoting|Citando|Zitat von|Pada|Vào|Ngày|Στις|У|В|Pe|Wiadomość napisana przez|เมื่อ|في|בתאריך|在)(?![\p{L}\p{M}\p{N}])/u

/**
 * Date-first attributions: a digit first ("2017-11-24 16:32 GMT+01:00 …", "30.09.2017, 18.30, …")
 * or one or two words and then a digit ("Wednesday, 17 November …", "pe 20. lokakuuta …",
 * "ср, 30 апр. …", "tir. 18. apr. …", "मंगल, 5 मार्च …"). Words may carry combining marks.
 */
export const STARTS_WITH_DATE = /^[ \t*_-]{0,8}(?:\p{Nd}|\p{L}[\p{L}\p{M}]{0,11}\.?[,،]?[ \t]+(?:\p{L}[\p{L}\p{M}]{0,11}\.?[,،]?[ \t]+)?\p{Nd})/u

/**
 * An e-mail address, bare or in angle brackets. The look-behind lets a match start only where a
 * run of address characters starts, and the bounded parts keep the search linear.
 */
export const EMAIL_ADDRESS = /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}._%+'-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})+/u

/** "… <jane@example.com>:" or "… jane@example.com:" or "(…@…):" at the end of a date-first attribution. */
export const ENDS_WITH_ADDRESS_COLON = /(?:[>)\]]|@[\p{L}\p{N}.-]+)\s*[:：]\s*$/u

/** Old Gmail: "2013/7/20 Jane Doe <jane@example.com>" on a line of its own, no colon. */
export const GMAIL_SLASH_DATE = /^\s*\d{4}\/\d{1,2}\/\d{1,2}\s.*<[^<>\s]+@[^<>\s]+>\s*$/u

/** Gmail: "2016-03-03 17:21 GMT+01:00 Jane Doe …". */
export const GMAIL_ISO_DATE = /^\s*\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}\s+GMT[+-]\d{1,2}:?\d{2}\b/

const LOWER_3 = /^\p{Ll}{3}$/u

/**
 * A sentence ending: a word of three or more lower-case letters, then . ! or ?, then closing
 * quotes or brackets and white space. Read backwards from the end, without a pattern that could
 * backtrack over a long word.
 */
export function endsWithSentence(text: string): boolean {
  let end = text.length
  while (end > 0 && ' \t\n\r\f\v\u00a0"\')]'.includes(text[end - 1]!)) end--
  let punctuation = end
  while (punctuation > 0 && '.!?'.includes(text[punctuation - 1]!)) punctuation--
  return punctuation < end && punctuation >= 3 && LOWER_3.test(text.slice(punctuation - 3, punctuation))
}

// --- separators ----------------------------------------------------------------------------

/**
 * Separators that may stand alone on their line ("Begin forwarded message:", "Original Message"),
 * with or without rules around them.
 */
const SEPARATOR_PHRASES = [
  'original message',
  'message original',
  "message d'origine",
  'message d’origine',
  'ursprüngliche nachricht',
  'originalnachricht',
  'original nachricht',
  'original-nachricht',
  'mensaje original',
  'messaggio originale',
  'mensagem original',
  'oorspronkelijk bericht',
  'origineel bericht',
  'oprindelig besked',
  'oprindelig meddelelse',
  'opprinnelig melding',
  'originalmeddelande',
  'ursprungligt meddelande',
  'alkuperäinen viesti',
  'wiadomość oryginalna',
  'oryginalna wiadomość',
  'původní zpráva',
  'pôvodná správa',
  'eredeti üzenet',
  'исходное сообщение',
  'оригинальное сообщение',
  'orijinal mesaj',
  'forwarded message',
  'message transféré',
  'message transfere',
  'weitergeleitete nachricht',
  'mensaje reenviado',
  'messaggio inoltrato',
  'mensagem encaminhada',
  'mensagem reencaminhada',
  'doorgestuurd bericht',
  'videresendt melding',
  'videresendt besked',
  'videresendt meddelelse',
  'vidarebefordrat meddelande',
  'välitetty viesti',
  'przekazana wiadomość',
  'пересылаемое сообщение',
  'пересланное сообщение',
  'перенаправленное сообщение',
  // Apple Mail's forward header in its languages
  'begin forwarded message',
  'début du message réexpédié',
  'début du message transféré',
  'anfang der weitergeleiteten nachricht',
  'inicio del mensaje reenviado',
  'inizio messaggio inoltrato',
  'início da mensagem reencaminhada',
  'início da mensagem encaminhada',
  'begin doorgestuurd bericht',
  'start på videresendt besked',
  'vidarebefordrat mejl',
  'välitetty viesti alkaa',
  'początek przekazywanej wiadomości',
  'начало переадресованного сообщения',
  'začátek přeposílané zprávy',
  'začiatok preposlanej správy',
  'továbbított levél kezdete',
  'İleti başlangıcı',
  'ileti başlangıcı',
  'початок листа, що пересилається',
  '転送されたメッセージ',
  '以下是转发的邮件',
  '转发的邮件',
  '轉寄的郵件',
]

/**
 * Separators that only count between rules of dashes, equal signs or underscores
 * ("-------- 원본 이메일 --------", "------------------ Original ------------------",
 * "----- Reply Message -----"): as a line of their own these words could be the customer's.
 */
const RULED_SEPARATOR_PHRASES = [
  'original',
  'reply message',
  'antwort nachricht',
  'message transmis',
  'message d’origine',
  'özgün ileti',
  'Özgün İleti',
  'orijinal ileti',
  'iletilen ileti',
  'İletilen İleti',
  'iletilmiş mesaj',
  'İletilmiş Mesaj',
  'treść przekazanej wiadomości',
  'wiadomość przesłana dalej',
  'edelleenlähetetty viesti',
  'переслане повідомлення',
  'перенаправлене повідомлення',
  'оригінальне повідомлення',
  'вихідне повідомлення',
  'továbbított üzenet',
  'přeposlaná zpráva',
  'preposlaná správa',
  'αρχικό μήνυμα',
  'προωθημένο μήνυμα',
  'mesaj original',
  'mesaj redirecționat',
  'הודעה מקורית',
  'הודעה שהועברה',
  // Chinese, Japanese, Korean (Outlook, Samsung, QQ Mail, Foxmail, Thunderbird)
  '原始邮件',
  '原始郵件',
  '原始信件',
  '原邮件',
  '原郵件',
  '转发的消息',
  '轉寄的訊息',
  '转发邮件',
  '元のメッセージ',
  '元のメール',
  'オリジナル メッセージ',
  '転送メッセージ',
  'メッセージを転送',
  '원본 메시지',
  '원본 이메일',
  '원래 메시지',
  '전달된 메시지',
  '전달 메시지',
  // Vietnamese, Indonesian, Thai, Arabic, Hindi, Bengali
  'thư gốc',
  'tin nhắn gốc',
  'thư đã chuyển tiếp',
  'tin nhắn đã chuyển tiếp',
  'pesan asli',
  'pesan awal',
  'pesan terusan',
  'pesan yang diteruskan',
  'ข้อความต้นฉบับ',
  'ข้อความที่ส่งต่อ',
  'الرسالة الأصلية',
  'رسالة أصلية',
  'رسالة معاد توجيهها',
  'الرسالة المعاد توجيهها',
  'मूल संदेश',
  'अग्रेषित संदेश',
  'মূল বার্তা',
  'ফরোয়ার্ড করা বার্তা',
]

/** "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:" … */
export const SEPARATOR = new RegExp(`^[ \\t*_=-]*(?:${alternatives(SEPARATOR_PHRASES)})[ \\t]*[:：]?[ \\t*_=-]*$`, 'iu')

/** A separator between rules: "-------- 원본 이메일 --------", "------------------ 原始邮件 ------------------". */
export const RULED_SEPARATOR = new RegExp(
  `^[ \\t*]*[-=_]{2,}[ \\t]*(?:${alternatives([...RULED_SEPARATOR_PHRASES, ...SEPARATOR_PHRASES])})[ \\t]*[-=_]{2,}[ \\t*]*$`,
  'iu',
)

// --- header blocks -------------------------------------------------------------------------

export type HeaderCategory = 'from' | 'date' | 'to' | 'cc' | 'subject' | 'replyTo'

const HEADER_KEYS: Record<HeaderCategory, string[]> = {
  from: [
    'from',
    'de',
    'von',
    'van',
    'da',
    'från',
    'fra',
    'frá',
    'od',
    'от',
    'от кого',
    'від',
    'від кого',
    'mittente',
    'lähettäjä',
    'feladó',
    'kimden',
    'gönderen',
    'remitente',
    'afzender',
    'nadawca',
    'odesílatel',
    'de la',
    'από',
    'מאת',
    'отправитель',
    'expeditorul',
    '寄件者',
    '寄件人',
    '发件人',
    '發件人',
    '差出人',
    '送信者',
    '送信元',
    '보낸 사람',
    '보낸사람',
    '발신',
    '발신자',
    'từ',
    'người gửi',
    'dari',
    'pengirim',
    'จาก',
    'ผู้ส่ง',
    'من',
    'المرسل',
    'प्रेषक',
    'প্রেরক',
    'থেকে',
  ],
  date: [
    'sent',
    'date',
    'datum',
    'data',
    'dată',
    'fecha',
    'gesendet',
    'envoyé le',
    'envoyé',
    'enviado el',
    'enviado',
    'enviada',
    'enviada em',
    'enviado em',
    'inviato',
    'verzonden',
    'skickat',
    'sendt',
    'dato',
    'wysłano',
    'wysłane',
    'отправлено',
    'дата',
    'надіслано',
    'відправлено',
    'lähetetty',
    'päivämäärä',
    'päiväys',
    'elküldve',
    'dátum',
    'tarih',
    'gönderildi',
    'gönderilen',
    'odesláno',
    'odoslané',
    'trimis',
    'message du',
    'στάλθηκε',
    'ημερομηνία',
    'נשלח',
    '发送时间',
    '發送時間',
    '寄件日期',
    '日期',
    '時間',
    '日付',
    '送信日時',
    '날짜',
    '보낸 날짜',
    'đã gửi',
    'ngày',
    'ngày gửi',
    'dikirim',
    'tanggal',
    'ส่ง',
    'วันที่',
    'ส่งเมื่อ',
    'تم الإرسال',
    'تاريخ الإرسال',
    'التاريخ',
    'भेजा गया',
    'भेजा',
    'दिनांक',
    'तारीख',
    'পাঠানো হয়েছে',
    'পাঠানো',
    'তারিখ',
  ],
  to: [
    'to',
    'à',
    'a',
    'an',
    'aan',
    'para',
    'till',
    'til',
    'do',
    'кому',
    'vastaanottaja',
    'címzett',
    'kime',
    'alıcı',
    'komu',
    'pre',
    'destinatario',
    'destinatarul',
    'pour',
    'adresat',
    'către',
    'προς',
    'אל',
    '收件人',
    '收件者',
    '宛先',
    '送信先',
    '받는 사람',
    '받는사람',
    '수신',
    '수신자',
    'đến',
    'người nhận',
    'kepada',
    'ke',
    'ถึง',
    'ผู้รับ',
    'إلى',
    'प्रति',
    'প্রাপক',
    'প্রতি',
  ],
  cc: [
    'cc',
    'bcc',
    'kopie',
    'kopie (cc)',
    'copie à',
    'copie',
    'copia',
    'kopia',
    'kopi',
    'копия',
    'копія',
    'kopio',
    'másolat',
    'másolatot kap',
    'dw',
    'bilgi',
    'kópia',
    'κοιν',
    '抄送',
    '副本',
    '참조',
    'tembusan',
    'สำเนาถึง',
    'نسخة',
  ],
  subject: [
    'subject',
    'objet',
    'sujet',
    'betreff',
    'asunto',
    'oggetto',
    'onderwerp',
    'ämne',
    'emne',
    'temat',
    'тема',
    'aihe',
    'tárgy',
    'konu',
    'assunto',
    'předmět',
    'predmet',
    'subiectul',
    'θέμα',
    'נושא',
    '主题',
    '主旨',
    '件名',
    '제목',
    'chủ đề',
    'tiêu đề',
    'subjek',
    'perihal',
    'เรื่อง',
    'الموضوع',
    'विषय',
    'বিষয়',
  ],
  replyTo: ['reply-to', 'risposta', 'antwort an', 'responder a', 'répondre à', 'svar till', 'svar til', 'antwoord aan'],
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const HEADER_KEY_LIST = (Object.entries(HEADER_KEYS) as [HeaderCategory, string[]][])
  .flatMap(([category, keys]) => [...new Set(keys.flatMap((key) => [key, key.normalize('NFC')]))].map((key) => ({ category, key })))
  // Longest first so that "envoyé le" wins over "envoyé" and "copie à" over "copie".
  .sort((a, b) => b.key.length - a.key.length)

const CATEGORY_BY_KEY = new Map(HEADER_KEY_LIST.map(({ key, category }) => [key, category]))

/** "From: …", "*From:* …", "De : …", "Envoyé le :jeudi …" at the start of a line. */
const HEADER_LINE = new RegExp(`^[ \\t]*[*_]{0,2}(${HEADER_KEY_LIST.map(({ key }) => escapeRegExp(key)).join('|')})[*_]{0,2}[ \\t]*[:：]`, 'iu')

/** The header category of a line that starts with a header key, or null. */
export function headerCategory(line: string): HeaderCategory | null {
  const match = HEADER_LINE.exec(line)
  if (!match) return null
  const category = CATEGORY_BY_KEY.get(match[1]!.toLowerCase()) ?? CATEGORY_BY_KEY.get(match[1]!.toLowerCase().normalize('NFC'))
  if (category === undefined) return null
  // A client writes a date or time after "Sent:"/"Date:", and a name or an address after
  // "From:"/"To:"; "Sent: the invoice, twice." or "From: my side it works." are the customer's.
  const value = line.slice(match[0].length)
  if (category === 'date' && !/\p{Nd}/u.test(value)) return null
  if ((category === 'from' || category === 'to' || category === 'cc') && readsAsSentence(value)) return null
  return category
}

/** "my side everything looks fine.": three words or more, no address, a full stop at the end. */
function readsAsSentence(value: string): boolean {
  return !value.includes('@') && endsWithSentence(value) && value.trim().split(/\s+/).length >= 3
}

/** Outlook's header block squeezed onto one line: "From: X Sent: Y To: Z Subject: W". */
export const ONE_LINE_HEADERS =
  /^[ \t]*[*_]{0,2}(?:from|de|von|van|da)[*_]{0,2}[ \t]*:.{1,300}?\s[*_]{0,2}(?:sent|date|envoyé|gesendet|enviado|inviato|verzonden)[*_]{0,2}[ \t]*:.{1,300}?\s[*_]{0,2}(?:to|à|an|para|a|aan)[*_]{0,2}[ \t]*:/iu

// --- signatures ----------------------------------------------------------------------------

/** The usenet signature delimiter "-- " (and its common variant "--"). Always a signature. */
export const SIGNATURE_DASHES = /^--[ \t\u00a0]*$/

/** A line of underscores (Outlook's and mailing lists' separator) or Gmail's "ᐧ" marker. */
export const UNDERSCORE_RULE = /^[ \t\u00a0]*(?:_{2,}|ᐧ)[ \t\u00a0]*$/

/** A horizontal rule of dashes, equal signs, stars, hashes, tildes, pluses or long dashes. */
export const PUNCTUATION_RULE = /^[ \t\u00a0]*(?:[-=~*#+]{3,}|[—–]{2,}|[-=~*#+—–](?:[ \t][-=~*#+—–]){2,})[ \t\u00a0]*$/

/** Device signatures ("Sent from my iPhone") in the languages mail apps are localised to. */
const MOBILE_SIGNATURES: RegExp[] = [
  /^sent (?:from|with|via|using|by) my\b/i,
  /^sent (?:from|with|via|using|by) (?:an?|the) (?:\S+ )?(?:mobile|phone|cell|device|iphone|ipad|android|tablet|smartphone|galaxy|samsung|blackberry)\b/i,
  /^[Ss]ent (?:from|with|via|using) [A-Z[]/,
  /^sent (?:from|with|via|using|by) (?:mobile|phone|cell|iphone|ipad|android|tablet|smartphone|galaxy|samsung|outlook|mail|yahoo|gmail|airmail|blackberry)\b/i,
  /^(?:someone )?from my (?:iphone|ipad|ipod|android|mobile|phone|smartphone|tablet|samsung|galaxy|blackberry)\b/i,
  /^get (?:\[)?outlook for\b/i,
  /^envoy[ée] (?:de|depuis|à partir de|a partir de|avec|du|via) (?:mon|ma|l['’]|outlook|yahoo|gmail|mail|iphone|ipad|android|samsung|blackberry)/i,
  /^von meine[mr]? .{1,60} gesendet\b/i,
  /^diese nachricht wurde von meinem .{1,80} gesendet/i,
  /^gesendet (?:von|mit|vom|aus) /i,
  /^enviado (?:desde|do|de|con|a partir do) (?:mi|meu|minha|outlook|yahoo|gmail|mail|correo|iphone|ipad|android|samsung|blackberry)/i,
  /^inviato (?:da|dal|con) /i,
  /^(?:verzonden|verstuurd) (?:met|vanaf|van|via) /i,
  /^(?:sendt|skickat|skickad|lähetetty) (?:fra|från|från min|laitteesta|via|med) /i,
  /^lähetetty (?:iphonesta|ipadista|android|matkapuhelimesta|laitteesta)/i,
  /^(?:wysłane|wysłano) (?:z|ze) /i,
  /^(?:отправлено|надіслано|відправлено) (?:с|з|из) /i,
  /^(?:odesláno|poslano|trimis|odoslané) (?:z|ze|de pe|s) /i,
  /^\S{0,20}(?:iphone|ipad)['’]?(?:umdan|undan|umdan gönderildi)/i,
  /^(?:從我的|从我的|发自我的|發自我的|来自我的|來自我的)/,
  /^(?:iphone|ipad|android|galaxy)から送信/i,
  /^(?:나의|내) .{1,30}에서 보냄/,
]

/** Words after which a device signature may go on ("…, please excuse typos"). */
const SIGNATURE_EXCUSE = /^[\s,.;:!—–-]*(?:please|pls|excuse|sorry|apologies|forgive|pardon|typos?|brevity|bitte|veuillez|désolé|perdona|scusate|mi scuso)\b/i

/** Whether a line is a device signature such as "Sent from my iPhone" or "Envoyé de mon iPad". */
export function isMobileSignature(rawLine: string): boolean {
  if (rawLine.length > 300) return false
  const line = rawLine
    .replace(/<https?:[^<>\s]*>/gi, ' ')
    .replace(/\[([^\]]{0,80})\]\([^)\s]{0,300}\)/g, '$1')
    .replace(/https?:\/\/\S+/gi, ' ')
    .replace(/^[\s<(*_]+|[\s>)*_]+$/g, '')
    .replace(/\s+/g, ' ')
  if (line.length === 0 || line.length > 120) return false
  if (!MOBILE_SIGNATURES.some((re) => re.test(line))) return false
  // The device name is short; anything after it must be an apology for typos.
  const stop = line.search(/[,.;!?(]/)
  const head = stop === -1 ? line : line.slice(0, stop)
  const rest = stop === -1 ? '' : line.slice(stop)
  if (head.split(' ').length > 10) return false
  return rest.replace(/[\s,.;:!?()]+/g, '') === '' || SIGNATURE_EXCUSE.test(rest)
}

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
 * "skrev", "kirjoitti", "írta", "написал", "пише", "yazdı" ...). Written as whole words.
 */
const WORD_VERBS = [
  'wrote', 'writes', 'has written', 'wrote the following',
  'a écrit', 'a ecrit', 'écrit', 'schrieb', 'hat geschrieben', 'geschrieben',
  'escribió', 'escribio', 'ha escrito', 'escreveu', 'ha scritto', 'scrisse',
  'schreef', 'het volgende geschreven', 'geschreven',
  'napisał\\(a\\)', 'napisała', 'napisał', 'napisal', 'skrev', 'skrev følgende', 'kirjoitti', 'írta',
  'napsal\\(a\\)', 'napsal', 'napísal', 'a scris', 'scrie', 'yazdı', 'έγραψε',
  'написал\\(а\\)', 'написала', 'написал', 'написав', 'написала\\(в\\)', 'пише', 'писал',
  'כתב', 'كتب',
]
/** The same in scripts written without spaces ("…10:12写道：", "…님이 작성:"). */
const JOINED_VERBS = ['写道', '寫道', '님이 작성', '님이 씀']
const VERB =
  `(?:(?<![\\p{L}\\p{N}])(?:${WORD_VERBS.join('|')})(?![\\p{L}\\p{N}])|(?:${JOINED_VERBS.join('|')}))`

/** The joined attribution ends with a verb, an optional colon and optional closing dashes. */
export const ENDS_WITH_VERB = new RegExp(`${VERB}\\s*[:：]?\\s*(?:-{2,}\\s*)?$`, 'iu')

/** The joined attribution contains a verb somewhere ("… schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:"). */
export const HAS_VERB = new RegExp(VERB, 'iu')

/**
 * Words that open an attribution: "On", "Le", "Am", "El", "Il", "Em", "Op", "Den", "Dnia",
 * "W dniu", "In data", "At", "Quoting" ... optionally after a few dashes ("---- On … wrote ----").
 */
export const STARTS_WITH_OPENER =
  /^[ \t*_-]{0,8}(?:On|Le|Am|El|Il|Em|Op|Den|Dne|Dňa|Dnia|W dniu|In data|At|Quoting|Citando|Zitat von|Pada|Vào|Ngày|Στις|У|В)(?![\p{L}\p{N}])/u

/**
 * Date-first attributions: a digit first ("2017-11-24 16:32 GMT+01:00 …", "30.09.2017, 18.30, …")
 * or one or two words and then a digit ("Wednesday, 17 November …", "pe 20. lokakuuta …",
 * "ср, 30 апр. …", "tir. 18. apr. …").
 */
export const STARTS_WITH_DATE = /^[ \t*_-]{0,8}(?:\d|\p{L}{1,12}\.?,?[ \t]+(?:\p{L}{1,12}\.?,?[ \t]+)?\d)/u

/**
 * An e-mail address, bare or in angle brackets. The look-behind lets a match start only where a
 * run of address characters starts, and the bounded parts keep the search linear.
 */
export const EMAIL_ADDRESS =
  /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}._%+'-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})+/u

/** "… <jane@example.com>:" or "… jane@example.com:" or "(…@…):" at the end of a date-first attribution. */
export const ENDS_WITH_ADDRESS_COLON = /(?:[>)\]]|@[\p{L}\p{N}.-]+)\s*[:：]\s*$/u

/** Old Gmail: "2013/7/20 Jane Doe <jane@example.com>" on a line of its own, no colon. */
export const GMAIL_SLASH_DATE = /^\s*\d{4}\/\d{1,2}\/\d{1,2}\s.*<[^<>\s]+@[^<>\s]+>\s*$/u

/** Gmail: "2016-03-03 17:21 GMT+01:00 Jane Doe …". */
export const GMAIL_ISO_DATE = /^\s*\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}\s+GMT[+-]\d{1,2}:?\d{2}\b/

/** A sentence ending: a word of three or more lower-case letters and then . ! or ?. */
export const SENTENCE_END = /\p{Ll}{3,}[.!?]+["')\]]*\s*$/u

// --- separators ----------------------------------------------------------------------------

const SEPARATOR_PHRASES = [
  'original message', 'message original', "message d'origine", 'message d’origine',
  'ursprüngliche nachricht', 'originalnachricht', 'original nachricht', 'original-nachricht', 'mensaje original', 'messaggio originale',
  'mensagem original', 'oorspronkelijk bericht', 'origineel bericht', 'oprindelig besked',
  'opprinnelig melding', 'originalmeddelande', 'ursprungligt meddelande', 'alkuperäinen viesti',
  'wiadomość oryginalna', 'oryginalna wiadomość', 'původní zpráva', 'pôvodná správa',
  'eredeti üzenet', 'исходное сообщение', 'оригинальное сообщение', 'orijinal mesaj',
  'forwarded message', 'message transféré', 'message transfere', 'weitergeleitete nachricht',
  'mensaje reenviado', 'messaggio inoltrato', 'mensagem encaminhada', 'doorgestuurd bericht',
  'videresendt melding', 'videresendt besked', 'vidarebefordrat meddelande', 'välitetty viesti',
  'przekazana wiadomość', 'пересылаемое сообщение', 'пересланное сообщение',
  'begin forwarded message', 'début du message réexpédié', 'début du message transféré',
  'anfang der weitergeleiteten nachricht', 'inicio del mensaje reenviado',
  'inizio messaggio inoltrato', 'início da mensagem reencaminhada',
]

/** "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:" … */
export const SEPARATOR = new RegExp(
  `^[ \\t*_=-]*(?:${SEPARATOR_PHRASES.join('|')})[ \\t]*[:：]?[ \\t*_=-]*$`, 'iu',
)

// --- header blocks -------------------------------------------------------------------------

export type HeaderCategory = 'from' | 'date' | 'to' | 'cc' | 'subject' | 'replyTo'

const HEADER_KEYS: Record<HeaderCategory, string[]> = {
  from: [
    'from', 'de', 'von', 'van', 'da', 'från', 'fra', 'frá', 'od', 'от', 'від', 'mittente',
    'lähettäjä', 'feladó', 'kimden', 'remitente', 'afzender', 'nadawca', 'odesílatel',
    '寄件者', '发件人', '發件人', '差出人', '보낸 사람', '보낸사람',
  ],
  date: [
    'sent', 'date', 'datum', 'data', 'gesendet', 'envoyé le', 'envoyé', 'enviado el', 'enviado',
    'enviada', 'inviato', 'verzonden', 'skickat', 'sendt', 'dato', 'wysłano', 'wysłane',
    'отправлено', 'дата', 'надіслано', 'lähetetty', 'päivämäärä', 'elküldve', 'dátum', 'tarih',
    'gönderildi', 'odesláno', 'message du', '发送时间', '發送時間', '日付', '送信日時', '날짜',
    '보낸 날짜',
  ],
  to: [
    'to', 'à', 'a', 'an', 'aan', 'para', 'till', 'til', 'do', 'кому', 'vastaanottaja', 'címzett',
    'kime', 'komu', 'destinatario', '收件人', '宛先', '받는 사람',
  ],
  cc: ['cc', 'bcc', 'kopie', 'copie à', 'copie', 'copia', 'kopia', 'копия', 'kopio', 'másolat'],
  subject: [
    'subject', 'objet', 'betreff', 'asunto', 'oggetto', 'onderwerp', 'ämne', 'emne', 'temat',
    'тема', 'aihe', 'tárgy', 'konu', 'assunto', 'předmět', '主题', '主旨', '件名', '제목',
  ],
  replyTo: ['reply-to', 'risposta', 'antwort an', 'responder a', 'répondre à', 'svar till'],
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const HEADER_KEY_LIST = (Object.entries(HEADER_KEYS) as [HeaderCategory, string[]][])
  .flatMap(([category, keys]) => keys.map((key) => ({ category, key })))
  // Longest first so that "envoyé le" wins over "envoyé" and "copie à" over "copie".
  .sort((a, b) => b.key.length - a.key.length)

const CATEGORY_BY_KEY = new Map(HEADER_KEY_LIST.map(({ key, category }) => [key, category]))

/** "From: …", "*From:* …", "De : …", "Envoyé le :jeudi …" at the start of a line. */
const HEADER_LINE = new RegExp(
  `^[ \\t]*[*_]{0,2}(${HEADER_KEY_LIST.map(({ key }) => escapeRegExp(key)).join('|')})[*_]{0,2}[ \\t]*[:：]`,
  'iu',
)

/** The header category of a line that starts with a header key, or null. */
export function headerCategory(line: string): HeaderCategory | null {
  const match = HEADER_LINE.exec(line)
  if (!match) return null
  return CATEGORY_BY_KEY.get(match[1]!.toLowerCase()) ?? null
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
export const PUNCTUATION_RULE =
  /^[ \t\u00a0]*(?:[-=~*#+]{3,}|[—–]{2,}|[-=~*#+—–](?:[ \t][-=~*#+—–]){2,})[ \t\u00a0]*$/

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

/** A cell of a CSV file: numbers are written as numbers, an empty cell for null. */
export type CsvCell = string | number | null

/**
 * A text a spreadsheet would take for a formula (=, +, -, @, or a tab or carriage return before
 * one) gets a leading apostrophe, so opening an export never runs what a customer typed
 * (OWASP "CSV injection"). Numbers are never prefixed: -12 stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/

export function csvCell(value: CsvCell): string {
  if (value === null) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  const text = FORMULA_START.test(value) ? `'${value}` : value
  // RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * A whole file, RFC 4180 (CRLF between records), with a byte order mark so that spreadsheets
 * read accented names as UTF-8.
 */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`
}

import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from '../../../../src/web/agent/reports/csv.ts'

describe('CSV export', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 says', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('Smith, Jane')).toBe('"Smith, Jane"')
    expect(csvCell('She said "hi"')).toBe('"She said ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"')
    expect(csvCell(null)).toBe('')
    expect(csvCell(12.5)).toBe('12.5')
    expect(csvCell(Number.NaN)).toBe('')
  })

  it('never lets a text start a formula: = + - @ tab and carriage return get an apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")"`)
    expect(csvCell('+1 555')).toBe("'+1 555")
    expect(csvCell('-2+3')).toBe("'-2+3")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\t=1')).toBe("'\t=1")
    expect(csvCell('\r=1')).toBe(`"'\r=1"`)
    // Numbers stay numbers, negative ones included (a satisfaction score of -40).
    expect(csvCell(-40)).toBe('-40')
    // Only the start counts.
    expect(csvCell('a=b')).toBe('a=b')
  })

  it('writes a whole file with a byte order mark and CRLF line ends', () => {
    expect(
      toCsv(
        ['Tag', 'Count'],
        [
          ['billing', 3],
          ['=cmd', null],
        ],
      ),
    ).toBe("\uFEFFTag,Count\r\nbilling,3\r\n'=cmd,\r\n")
  })
})

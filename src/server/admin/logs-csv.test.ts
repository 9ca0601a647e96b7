import { describe, expect, test } from 'vitest';
import type { UsageLogRow } from '../../store/schema.ts';
import { CSV_HEADER, csvCell, csvRow } from './logs-csv.ts';

describe('usage logs as CSV', () => {
  test('cells with commas, quotes or line breaks are quoted, quotes doubled (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-1.5)).toBe('-1.5');
  });

  test('a text cell a spreadsheet would run as a formula starts with a single quote', () => {
    for (const start of ['=', '+', '-', '@', '\t']) expect(csvCell(`${start}HYPERLINK("x")`)).toMatch(/^"?'/);
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  test('a row has one cell per header column, time in ISO 8601 UTC, ending in CRLF', () => {
    const log: UsageLogRow = {
      id: 7,
      request_id: 'req-1',
      parent_request_id: null,
      created_at: Date.UTC(2026, 2, 10, 23, 59, 1, 500),
      user_id: 3,
      token_id: 4,
      token_name: 'laptop, home',
      channel: 'groq',
      model: 'm',
      upstream_model: null,
      prompt_tokens: 10,
      completion_tokens: 5,
      cached_tokens: 0,
      quota: 100,
      cost_usd: 0.0002,
      latency_ms: 120,
      ttft_ms: null,
      stream: 1,
      status: 200,
      error: null,
      ip: '127.0.0.1',
    };
    const header = CSV_HEADER.trimEnd().split(',');
    expect(header[0]).toBe('time');
    expect(csvRow(log)).toBe(
      '2026-03-10T23:59:01.500Z,req-1,,3,"laptop, home",groq,m,,10,5,0,0.0002,100,120,,true,200,,127.0.0.1\r\n',
    );
    expect(header).toHaveLength(19);
  });
});

import { expect, test } from 'vitest';
import { applyRules, compileRules, StreamRewriter } from './output-rules.ts';

const rules = compileRules(
  [
    { find: 'colou?r', replace: 'hue', flags: 'i' },
    { find: '\\[\\[(\\w+)\\]\\]', replace: '<$1>' },
  ],
  'models.virtual[0]',
);

test('rules apply in order, with groups and flags', () => {
  expect(applyRules('Colour and color [[x]]', rules)).toBe('hue and hue <x>');
});

test('a stream is rewritten the same as the whole text, however it is cut into chunks', () => {
  const text = `${'filler '.repeat(60)}the colour [[word]] and more ${'words '.repeat(80)}col${'our'} end [[last]]`;
  const whole = applyRules(text, rules);
  for (const size of [1, 3, 7, 50, 300]) {
    const rewriter = new StreamRewriter(rules);
    let out = '';
    for (let i = 0; i < text.length; i += size) out += rewriter.push(text.slice(i, i + size));
    out += rewriter.flush();
    expect(out).toBe(whole);
  }
});

test('a pattern that does not compile is named with its place in the config', () => {
  expect(() => compileRules([{ find: '(', replace: '' }], 'models.virtual[2]')).toThrow(
    /models\.virtual\[2\]\.output_rules\[0\]\.find/,
  );
});

import { expect, test } from 'vitest';
import { foldSystemMessages } from './system-fold.ts';

test('system text is folded into the first user message, in order', () => {
  const folded = foldSystemMessages([
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello' },
    { role: 'user', content: 'Bye' },
  ]);
  expect(folded).toEqual([
    { role: 'user', content: 'Be brief.\n\nHi' },
    { role: 'assistant', content: 'Hello' },
    { role: 'user', content: 'Bye' },
  ]);
});

test('multimodal first user message gets the system text as a leading text part', () => {
  const folded = foldSystemMessages([
    { role: 'developer', content: 'Rules.' },
    { role: 'user', content: [{ type: 'image', url: 'data:image/png;base64,AAAA' }] },
  ]);
  expect(folded).toEqual([
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Rules.\n\n' },
        { type: 'image', url: 'data:image/png;base64,AAAA' },
      ],
    },
  ]);
});

test('no user message: the system text becomes one', () => {
  expect(foldSystemMessages([{ role: 'system', content: 'S' }])).toEqual([{ role: 'user', content: 'S' }]);
});

/**
 * Find/replace rules on a virtual model's final answer (o1-api's regex processing), applied in order. A stream is
 * rewritten as it goes: text is held back only as long as a match could still grow into it (the last `window`
 * characters, or from the start of a match that reaches into them), so no match is ever split across chunks.
 */
import { InvalidRequest } from '../core/errors.ts';

export interface OutputRule {
  find: RegExp;
  replace: string;
}

/** Compiles the config's rules; a pattern that does not compile is named. */
export function compileRules(
  rules: { find: string; replace: string; flags?: string | undefined }[],
  where: string,
): OutputRule[] {
  return rules.map((rule, i) => {
    try {
      return { find: new RegExp(rule.find, `g${rule.flags ?? ''}`), replace: rule.replace };
    } catch (err) {
      throw new InvalidRequest(`${where}.output_rules[${i}].find: ${(err as Error).message}`);
    }
  });
}

export function applyRules(text: string, rules: readonly OutputRule[]): string {
  let out = text;
  for (const rule of rules) out = out.replace(rule.find, rule.replace);
  return out;
}

/** Longest stretch of text a match may span across chunks. */
const WINDOW = 256;

export class StreamRewriter {
  private readonly rules: readonly OutputRule[];
  private held = '';

  constructor(rules: readonly OutputRule[]) {
    this.rules = rules;
  }

  /** The rewritten text that is safe to send now. */
  push(text: string): string {
    if (!this.rules.length) return text;
    this.held += text;
    let cut = this.held.length - WINDOW;
    if (cut <= 0) return '';
    for (const rule of this.rules) {
      rule.find.lastIndex = 0;
      for (let m = rule.find.exec(this.held); m; m = rule.find.exec(this.held)) {
        if (m[0].length === 0) rule.find.lastIndex++;
        const end = m.index + m[0].length;
        if (m.index < cut && end >= cut) cut = m.index;
        if (m.index >= cut) break;
      }
    }
    const ready = this.held.slice(0, cut);
    this.held = this.held.slice(cut);
    return applyRules(ready, this.rules);
  }

  /** What was held back, rewritten, at the end of the stream. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return applyRules(rest, this.rules);
  }
}

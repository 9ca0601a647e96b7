/** Masks anything that looks like a credential before text leaves the gateway (error messages, logs). */

const SECRET_PATTERNS = [
  /\b(sk|pk|rk|gsk|xai|sk-ant|sk-or|AIza)[-_][A-Za-z0-9_-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(api[-_]?key|access[-_]?token|secret|password)(["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi,
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, p1: string, p2: unknown) =>
      typeof p2 === 'string' && /[:=]/.test(p2) ? `${p1}${p2}***` : `${match.slice(0, Math.min(4, match.length))}***`,
    );
  }
  return out;
}

/** The text with every one of these keys (a channel's own, whatever their shape) masked, then anything key-like. */
export function withoutKeys(text: string, keys: readonly string[]): string {
  return keys.reduce((out, key) => (key.length >= 4 ? out.split(key).join('***') : out), redactSecrets(text));
}

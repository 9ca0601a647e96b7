/**
 * The gateway's secret: seals provider credentials at rest (AES-256-GCM) and signs session cookies (HMAC-SHA256),
 * with a separate key derived for each job.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SEALED_PREFIX = 'v1:';

export class Secret {
  private readonly sealKey: Buffer;
  private readonly signKey: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('SWITCHYARD_SECRET must be at least 16 characters long');
    const derive = (info: string): Buffer =>
      Buffer.from(hkdfSync('sha256', secret, 'switchyard', info, 32) as ArrayBuffer);
    this.sealKey = derive('seal credentials');
    this.signKey = derive('sign sessions');
  }

  /** `v1:iv:tag:ciphertext` (base64url): the text encrypted and authenticated. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  /** The sealed text, or an error when it was sealed with another secret or altered. */
  open(sealed: string): string {
    const parts = sealed.startsWith(SEALED_PREFIX) ? sealed.slice(SEALED_PREFIX.length).split(':') : [];
    if (parts.length !== 3) throw new Error('sealed value is malformed');
    const [iv, tag, body] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('sealed value cannot be opened: was SWITCHYARD_SECRET changed?');
    }
  }

  /** `payload.signature` (base64url). */
  sign(payload: string): string {
    return `${Buffer.from(payload).toString('base64url')}.${this.mac(payload)}`;
  }

  /** The payload of a value `sign` made, or undefined when it was not made with this secret. */
  verify(signed: string): string | undefined {
    const dot = signed.lastIndexOf('.');
    if (dot < 1) return undefined;
    const payload = Buffer.from(signed.slice(0, dot), 'base64url').toString('utf8');
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(signed.slice(dot + 1));
    return given.length === expected.length && timingSafeEqual(given, expected) ? payload : undefined;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.signKey).update(payload).digest('base64url');
  }
}

/**
 * The secret from `SWITCHYARD_SECRET` (or `SESSION_SECRET`); without one, a random secret kept in the data
 * directory (mode 0600) so that one instance keeps its sealed keys and sessions across restarts.
 */
export function loadSecret(env: NodeJS.ProcessEnv, dataDir: string): { secret: Secret; generated: string | undefined } {
  const given = env.SWITCHYARD_SECRET ?? env.SESSION_SECRET;
  if (given) return { secret: new Secret(given), generated: undefined };
  const file = join(dataDir, 'secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return { secret: new Secret(readFileSync(file, 'utf8').trim()), generated: file };
}

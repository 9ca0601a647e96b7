/** Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256) with a SecretId and SecretKey. */
import { createHash, createHmac } from 'node:crypto';

export const KEY_FORM = 'SECRET_ID:SECRET_KEY';

export interface Tc3Request {
  secretId: string;
  secretKey: string;
  /** The product, e.g. `hunyuan`: the first label of its API host. */
  service: string;
  host: string;
  contentType: string;
  /** The exact body bytes that will be sent. */
  payload: string;
  /** Unix seconds; the same value goes in X-TC-Timestamp. */
  timestamp: number;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
export const hmac = (key: string | Buffer, text: string): Buffer =>
  createHmac('sha256', key).update(text, 'utf8').digest();

/** The Authorization header of a POST to `/` (API 3.0's only path); content-type and host are the signed headers. */
export function tc3Authorization(req: Tc3Request): string {
  const date = new Date(req.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host';
  const canonicalHeaders = `content-type:${req.contentType.trim().toLowerCase()}\nhost:${req.host.toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256Hex(req.payload)].join('\n');
  const scope = `${date}/${req.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(req.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${req.secretKey}`, date), req.service), 'tc3_request');
  const signature = hmac(signingKey, stringToSign).toString('hex');
  return `TC3-HMAC-SHA256 Credential=${req.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

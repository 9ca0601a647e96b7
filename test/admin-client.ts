/** A tiny admin API client for tests: JSON in and out, with the session cookie kept like a browser would. */
import { request } from 'undici';
import { ROOT_PASSWORD } from './harness.ts';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export class AdminClient {
  readonly url: string;
  cookie: string | undefined;
  bearer: string | undefined;

  constructor(url: string) {
    this.url = url;
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const res = await request(`${this.url}${path}`, {
      method: method as 'GET',
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const setCookie = res.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (first) this.cookie = first.split(';')[0];
    const text = await res.body.text();
    return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  async login(username: string, password: string): Promise<Answer> {
    return this.call('POST', '/api/auth/login', { username, password });
  }

  /** A client logged in as root. */
  static async root(url: string): Promise<AdminClient> {
    const client = new AdminClient(url);
    const answer = await client.login('root', ROOT_PASSWORD);
    if (answer.status !== 200) throw new Error(`root login failed: ${JSON.stringify(answer.body)}`);
    return client;
  }

  /** Makes a user (as this client) and returns a client logged in as them. */
  async newUser(username: string, extra: Record<string, unknown> = {}): Promise<AdminClient & { id: number }> {
    const made = await this.call<{ id: number }>('POST', '/api/users', {
      username,
      password: 'password-123',
      ...extra,
    });
    if (made.status !== 201) throw new Error(`making ${username} failed: ${JSON.stringify(made.body)}`);
    const client = Object.assign(new AdminClient(this.url), { id: made.body.id });
    await client.login(username, 'password-123');
    return client;
  }
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../loader.ts';
import { parseIni } from './fitten-code-api.ts';

// Fixtures from github.com/bobotechnology/fitten-code-api: `config.ini` verbatim from the repository (5cbe4a2, CRLF line
// ends and its comments kept), `readme-config.ini` the example of its README's Configuration section.
const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/fitten-code-api/${name}`, import.meta.url), 'utf8');

function loadError(text: string, name = 'config.ini'): ConfigError {
  try {
    parseConfig(text, name, {});
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loaded, but a ConfigError was expected');
}

describe("fitten-code-api's config.ini", () => {
  test("the README's example loads unchanged: a fitten provider, its api_key the client key, port 5000", () => {
    const loaded = parseConfig(fixture('readme-config.ini'), 'config.ini', {});
    expect(loaded.format).toBe('fitten-code-api');
    expect(loaded.config.server).toMatchObject({ host: '0.0.0.0', port: 5000 });
    expect(loaded.config.auth.keys).toEqual(['your_custom_api_key']);
    expect(loaded.config.providers).toMatchObject([
      {
        name: 'fitten',
        type: 'fitten',
        keys: ['your_fittentech_username:your_fittentech_password'],
        models: ['fitten-code'],
      },
    ]);
    expect(loaded.warnings).toEqual([]);
  });

  test("the repository's own config.ini (blank values, CRLF, comments) says which values to fill in", () => {
    expect(loadError(fixture('config.ini')).problems).toEqual([
      { path: 'Main.username', message: 'required: the Fitten Code account name' },
      { path: 'Main.password', message: "required: the Fitten Code account's password" },
      { path: 'Main.api_key', message: 'required: the key clients send as their bearer token' },
    ]);
  });

  test('read as configparser reads it: key: value, any key case, a BOM, a password with colons', () => {
    const text = '\uFEFF# account\n[Main]\nUserName: ann\npassword = p:a:ss\napi_key=sk-1\nport=8080\n[Extra]\nx=1\n';
    const loaded = parseConfig(text, 'fitten.conf', {});
    expect(loaded.format).toBe('fitten-code-api');
    expect(loaded.config.providers[0]?.keys).toEqual(['ann:p:a:ss']);
    expect(loaded.warnings).toEqual(['Main.port: unknown key, ignored', '[Extra]: unknown section, ignored']);
  });

  test('indented lines continue a value; a line that is not key=value is an error at its line', () => {
    expect(parseIni('[Main]\nkey = one\n  two\n').document).toEqual({ Main: { key: 'one\ntwo' } });
    expect(loadError('[Main]\nusername=a\nnot an entry\n').problems).toEqual([
      { path: 'config.ini:3', message: 'invalid INI: expected key=value' },
    ]);
  });

  test('config.ini in the working directory is picked up when no Switchyard config is there', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-fitten-'));
    writeFileSync(path.join(dir, 'config.ini'), fixture('readme-config.ini'));
    const loaded = loadConfig({ env: {}, cwd: dir });
    expect(loaded.format).toBe('fitten-code-api');
    expect(loaded.file).toBe(path.join(dir, 'config.ini'));
  });
});

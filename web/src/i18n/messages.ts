/** Per-page message dictionaries: each page declares its English strings and their Chinese twins in one place. */

/** A tree of messages: strings, or nested groups of them. */
export interface MessageTree {
  readonly [key: string]: string | MessageTree;
}

/** The same keys as `T`, any strings: a translation must cover every message, and nothing more. */
export type Translation<T> = { readonly [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };

export interface Messages<T extends MessageTree> {
  en: T;
  zh: Translation<T>;
}

/** Declares a namespace's messages; the type checker holds the Chinese dictionary to the English one's keys. */
export function defineMessages<const T extends MessageTree>(messages: { en: T; zh: Translation<T> }): Messages<T> {
  return messages;
}

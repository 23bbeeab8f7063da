// Shared pieces of input checking: one naming rule and one way to turn schema issues into words.
import type { z } from 'zod';
import { fieldWords, joinWords, type Words } from './words.ts';

/** Site, line and station names (CONTRACT §1): safe in topics, file names, CSV and the UI. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The issues as words (`key` per issue: field and problem), joined: `english` of it is "field: message; field: message". */
export function issueWords(error: z.ZodError, key: 'quarantine.field' | 'refusal.field', pathOf: (path: PropertyKey[]) => string = issuePath): Words {
  return joinWords(error.issues.map((i) => fieldWords(key, pathOf(i.path), i.message)));
}

/** Each issue as its field's path ('lines[0].targetTaktS'), its message and the message's words (`wordsOf`). */
export function issueProblems(error: z.ZodError, wordsOf: (message: string) => Words): { path: string; message: string; words: Words }[] {
  return error.issues.map((i) => ({ path: issuePath(i.path), message: i.message, words: wordsOf(i.message) }));
}

function issuePath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(top level)';
}

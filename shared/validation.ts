// Shared pieces of input checking: one naming rule and one way to turn schema issues into words.
import type { z } from 'zod';
import { fieldWords, joinWords, type Words } from './words.ts';

/** Site, line and station names (CONTRACT §1): safe in topics, file names, CSV and the UI. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** "lines[0].targetTaktS: Too small: expected number to be >0", one string per issue. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`);
}

/** The same issues as words (`key` per issue: field and problem), joined: `english` of it is formatIssues joined by "; ". */
export function issueWords(error: z.ZodError, key: 'quarantine.field' | 'refusal.field', pathOf: (path: PropertyKey[]) => string = issuePath): Words {
  return joinWords(error.issues.map((i) => fieldWords(key, pathOf(i.path), i.message)));
}

function issuePath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(top level)';
}

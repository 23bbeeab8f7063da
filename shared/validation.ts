// Shared pieces of input checking: one naming rule and one way to turn schema issues into words.
import type { z } from 'zod';

/** Site, line and station names (CONTRACT §1): safe in topics, file names, CSV and the UI. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** "lines[0].targetTaktS: Too small: expected number to be >0", one string per issue. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
    return `${path || '(top level)'}: ${i.message}`;
  });
}

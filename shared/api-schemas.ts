// The argument schemas of the API contract (api.ts), checked at every boundary the arguments cross as
// `unknown`: the desktop's IPC, the web shell's HTTP and WebSocket. Each schema is typed against the
// declared arguments, so the two cannot drift apart. The renderer and the preload never import this.
import { z } from 'zod';
import { isRealDate } from './dates.ts';
import { issueWords } from './validation.ts';
import { english, fieldWords, type Words } from './words.ts';
import {
  DATE_RE,
  TLS_FILE_PURPOSES,
  type DesktopRequestArgs,
  type DesktopRequestName,
  type RequestArgs,
  type RequestName,
} from './api.ts';

/** A date YYYY-MM-DD that exists (2026-02-30 is refused as bad input, never answered as a server error). */
const date = z
  .string()
  .regex(DATE_RE, 'must be a date YYYY-MM-DD')
  .refine(isRealDate, { error: (i) => `${JSON.stringify(i.input)} is not a date that exists` });
const lineId = z.string().min(1).max(64);
const none = z.strictObject({});

export const requestSchemas = {
  live: none,
  trend: z.strictObject({ lineId, minutes: z.union([z.literal(15), z.literal(60)]) }),
  shiftCalendar: z.strictObject({ date: date.optional() }),
  history: z.strictObject({ date, shift: z.string().min(1).max(32) }),
  dailyCsv: z.strictObject({ date }),
  diagnostics: none,
  configHistory: none,
  stopsCsv: z.strictObject({ date }),
  codeStop: z.strictObject({
    line: lineId,
    station: z.string().min(1).max(64).nullable(),
    start: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    reason: z.string().trim().min(1, 'must name a reason').max(128),
    comment: z.string().max(500).optional(),
  }),
  shiftNote: z.strictObject({ date, shift: z.string().min(1).max(32), line: lineId, text: z.string().max(2000) }),
  // The configuration itself is checked by its own schema in the core, with every error naming its field.
  applyConfig: z.strictObject({ config: z.unknown(), effectiveFrom: date }),
  ackAlert: z.strictObject({ id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  getConfig: none,
  checkConfig: z.strictObject({ config: z.unknown(), effectiveFrom: date.optional() }),
  testBroker: z.strictObject({ broker: z.unknown(), password: z.string().max(1024).optional() }),
  createToken: none,
  adoptionHints: none,
  whoAmI: none,
} satisfies { [N in RequestName]: z.ZodType<RequestArgs<N>> };

export const desktopRequestSchemas = {
  saveDailyCsv: z.strictObject({ date }),
  saveStopsCsv: z.strictObject({ date }),
  getSettings: none,
  saveSettings: z.strictObject({ configText: z.string().max(1_000_000), brokerPassword: z.string().max(1024).optional() }),
  // Only what the file is for: the folder and the name are the dialog's, never the page's.
  pickFile: z.strictObject({ purpose: z.enum(TLS_FILE_PURPOSES) }),
  exportConfigFile: none,
  importConfigFile: none,
} satisfies { [N in DesktopRequestName]: z.ZodType<DesktopRequestArgs<N>> };

/** A refusal's `error` is the English of its `words`. */
export type ParsedArgs<A> = { ok: true; args: A } | { ok: false; error: string; words: Words };

/** Every boundary calls this with what arrived as `unknown`. */
export function parseArgs<N extends RequestName>(name: N, raw: unknown): ParsedArgs<RequestArgs<N>> {
  return parseWith(requestSchemas[name], name, raw) as ParsedArgs<RequestArgs<N>>;
}

export function parseDesktopArgs<N extends DesktopRequestName>(name: N, raw: unknown): ParsedArgs<DesktopRequestArgs<N>> {
  return parseWith(desktopRequestSchemas[name], name, raw) as ParsedArgs<DesktopRequestArgs<N>>;
}

/** The error words of a date query parameter (`?date=`), as parseArgs gives them (english: "date: …"). */
export function checkDate(raw: string | null): Words | null {
  const r = date.safeParse(raw ?? '');
  return r.success ? null : fieldWords('refusal.field', 'date', r.error.issues[0]?.message ?? 'must be a date YYYY-MM-DD');
}

const refused = (words: Words): ParsedArgs<never> => ({ ok: false, error: english(words), words });

function parseWith(spec: z.ZodType | undefined, name: string, raw: unknown): ParsedArgs<unknown> {
  if (!spec) return refused({ key: 'refusal.unknown_request', params: { name: String(name) } });
  const r = spec.safeParse(raw ?? {});
  if (r.success) return { ok: true, args: r.data };
  return refused(issueWords(r.error, 'refusal.field', (path) => path.join('.') || 'arguments'));
}

// The configuration as a file to keep or to move to another plant PC (issue 13): the browser's download and
// the desktop's save dialog write the same text under the same name. No imports: the renderer takes it too.

/**
 * A configuration file's text as JSON; a leading byte-order mark (Notepad writes one) is fine. Throws the
 * parser's SyntaxError, whose message says where.
 */
export function configFileJson(text: string): unknown {
  return JSON.parse(text.replace(/^\uFEFF/, ''));
}

/**
 * The running configuration as the file's text: no password is ever in a configuration, and the access tokens
 * (credentials of this plant) are left out, so importing the file elsewhere keeps that PC's own.
 */
export function configExportText(config: unknown): string {
  const copy = { ...(config as Record<string, unknown>) };
  delete copy.access;
  return JSON.stringify(copy, null, 2) + '\n';
}

/** `taktboard-config-<site>-<date>.json`; the site is a name of the schema ([A-Za-z0-9_.-]), anything else becomes "plant". */
export function configExportName(site: unknown, date: string | null): string {
  const s = typeof site === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(site) ? site : 'plant';
  return `taktboard-config-${s}-${date ?? 'today'}.json`;
}

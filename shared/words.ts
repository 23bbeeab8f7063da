// Every message the core makes for a person to read (alert details, broker errors, quarantine reasons,
// refusals) as a key with parameters, so each screen says it in its own language (DESIGN: errors reach the
// UI in words; UI text in English and Simplified Chinese). The core sends the English beside the words, for
// scripts, logs and older screens (CONTRACT §1.4 pins the quarantine reasons, §6 the `error` of a refusal);
// the renderer translates the words (renderer/src/i18n.ts holds a zh-CN template for every key below).
// No imports: the renderer bundles this file.
//
// A template's `{name}` is filled from `params`: a string or number as sent (field names, topics, values and
// error details stay as they came), or other words, translated in place (a field's problem, a list of them).

/** The English of every key. Where a test or the CONTRACT pins a message, this is that message, byte for byte. */
export const ENGLISH = {
  // ---- the broker connection (ConnectionState.errorWords, the broker history, the 'broker_rejected' alert)
  'broker.bad_protocol': 'broker does not accept this MQTT version (try broker.protocolVersion 4)',
  'broker.no_mqtt5': 'broker does not support MQTT 5 (set broker.protocolVersion to 4)',
  'broker.rejected_client_id': 'broker rejected the client id',
  'broker.unavailable': 'broker unavailable',
  'broker.rejected_credentials': 'broker rejected credentials',
  'broker.not_authorised': 'not authorised',
  'broker.busy': 'broker busy',
  'broker.banned': 'banned by the broker',
  'broker.shutting_down': 'broker shutting down',
  'broker.rejected_auth_method': 'broker rejected the authentication method',
  'broker.rate_exceeded': 'broker refused: connection rate exceeded',
  'broker.refused': 'broker refused the connection ({detail})',
  'broker.unreachable': 'broker unreachable ({detail})',
  'broker.host_not_found': 'broker host not found ({host})',
  'broker.reset': 'connection reset by the broker or the network',
  'broker.tls_failed': 'TLS handshake failed: {detail}',
  'broker.keepalive_timeout': 'broker stopped answering (keepalive timeout)',
  'broker.connect_timeout': 'no answer from the broker (connect timeout)',
  /** Any other connection error: the library's or the system's own words. */
  'broker.error': '{detail}',
  'broker.taken_over': 'another client with the same client id took over the session',
  'broker.closed_keepalive': 'broker closed the connection (keepalive timeout)',
  'broker.closed': 'broker closed the connection',
  'broker.closed_reason': 'broker closed the connection (reason {code})',
  'broker.lost': 'connection to the broker lost',
  'broker.no_answer': 'no answer from the broker',
  'broker.tls_file': 'cannot read broker.{field} file {file} ({code})',
  'broker.subscribe_not_authorised': "broker refused the subscription to {topic} (not authorised): no telemetry will arrive; check the broker's ACL for this user",
  'broker.subscribe_invalid': "broker refused the subscription to {topic} (topic filter invalid): no telemetry will arrive; check the broker's ACL for this user",
  'broker.subscribe_refused': "broker refused the subscription to {topic} (refused): no telemetry will arrive; check the broker's ACL for this user",
  // Settings' "test connection" (testBroker); its failures are the keys above.
  'broker.test_connected': 'connected to {url} (MQTT {version}) and subscribed to {topic} with QoS {qos}',
  'broker.test_subscribe_failed': 'connected, but the subscription did not complete: {detail}',
  'broker.test_no_answer': 'no answer from {url} within {seconds} s',

  // The desktop window's own save of the plant file (Settings in the demo, and the broker password).
  'desktop.bad_json': 'not valid JSON: {detail}',
  'desktop.password_not_kept': 'the broker password could not be kept in the system keychain: {detail}',
  'desktop.config_not_written': 'could not write {file} ({code})',
  'desktop.saved_not_started': 'the configuration was saved but could not be started: {detail}',

  // ---- alert details (Alert.words; the banner's title is the renderer's own 'alert.<code>')
  'alert.taken_over_disconnect': 'another client with the same client id took over the session ("{clientId}"): is a second Taktboard running with this broker.clientId?',
  'alert.taken_over_silent': 'the broker closed the connection right after accepting it {count} times in a row: is another client (a second Taktboard?) using client id "{clientId}"?',
  'alert.storage_full': 'storage full: the disk holding the database has no space left; telemetry waits at the broker until space is freed',
  'alert.db_locked': 'database locked by another program; telemetry waits at the broker until it is released',
  'alert.write_failed': 'cannot write the database ({code}: {detail}); telemetry waits at the broker',
  'alert.db_damaged_write': 'database damaged: {damage}; nothing more is acknowledged, telemetry waits at the broker until Taktboard is restarted',
  'alert.db_damaged_found':
    'The database file is damaged ({damage}). Nothing more is stored or acknowledged; telemetry waits at the broker. Restart Taktboard: the file is then moved aside and the newest good backup restored.',
  'alert.recovered_backup':
    'The database file was damaged ({damage}). It was moved aside to {file} and the backup of {time} UTC was restored: what was stored after that backup is missing from the history unless the broker still holds it.',
  'alert.recovered_new':
    'The database file was damaged ({damage}) and no usable backup was found. It was moved aside to {file} and a new, empty database was started: earlier history is not shown.',
  'alert.wal_large':
    "the database's write-ahead log has grown to {mb} MB: a long-running read (an export, a backup or another program reading the file) keeps it from being folded back; it shrinks again once that read ends",

  // ---- quarantine reasons (CONTRACT §1.4). Keys ending in `.any` are the counted form (quarantineByReason):
  // the reason with its values left out, as the store counts it.
  'quarantine.too_large': 'payload too large ({bytes} bytes)',
  'quarantine.too_large.any': 'payload too large',
  'quarantine.topic_levels': 'topic has {levels} levels, pattern {pattern} has {expected}',
  'quarantine.bad_name': 'bad {part} name in topic',
  'quarantine.topic_level': 'topic level {level} is "{value}", pattern wants "{want}"',
  'quarantine.wrong_site': 'site "{site}" is not this plant\'s site "{expected}"',
  'quarantine.not_utf8': 'not valid UTF-8',
  'quarantine.unknown_event': 'unknown event',
  'quarantine.invalid_json': 'invalid JSON',
  'quarantine.not_object': 'payload is not a JSON object',
  /** One schema issue of the payload; several are joined ('join'). */
  'quarantine.field': '{field}: {problem}',
  'quarantine.future': 'ts: more than 5 minutes in the future ({time})',
  'quarantine.future.any': 'ts: more than 5 minutes in the future',
  'quarantine.too_old': 'ts: older than the raw-data retention',
  'quarantine.too_old_seconds': 'ts: older than the raw-data retention (seconds instead of milliseconds?)',
  'quarantine.too_many_lines': 'too many unknown lines ({max} kept; "{line}" refused)',
  'quarantine.too_many_lines.any': 'too many unknown lines',
  'quarantine.too_many_stations': 'too many unknown stations ({max} kept for line "{line}"; "{station}" refused)',
  'quarantine.too_many_stations.any': 'too many unknown stations',
  'quarantine.not_stored': 'could not be stored ({detail})',
  'quarantine.not_stored.any': 'could not be stored',
  // The input adapters (issue 12): a Sparkplug B host, EMQX Neuron / flat tag JSON. Their bad UTF-8, bad JSON
  // and non-objects are the keys above; a bad field is 'quarantine.field' with a problem below. `{reason}` is
  // the words of why the values were refused (a field's problem, too many unknown stations).
  'quarantine.spb_too_large': 'Sparkplug payload too large ({bytes} bytes; inputs "{input}" maxPayloadBytes {max})',
  'quarantine.spb_too_large.any': 'Sparkplug payload too large',
  'quarantine.spb_unknown_type': 'Sparkplug topic with an unknown message type ("{type}")',
  'quarantine.spb_unknown_type.any': 'Sparkplug topic with an unknown message type',
  'quarantine.spb_topic_levels': 'Sparkplug {type} topic must be {pattern} (got {levels} levels)',
  'quarantine.spb_topic_levels.any': 'Sparkplug {type} topic must be {pattern}',
  'quarantine.spb_undecodable': 'Sparkplug payload could not be decoded ({detail})',
  'quarantine.spb_undecodable.any': 'Sparkplug payload could not be decoded',
  'quarantine.spb_too_many_nodes': 'too many Sparkplug edge nodes ({max} kept; "{node}" refused)',
  'quarantine.spb_too_many_nodes.any': 'too many Sparkplug edge nodes',
  'quarantine.spb_unknown_alias': 'Sparkplug {type} uses an alias no birth defined (alias {alias} of "{source}"): rebirth requested',
  'quarantine.spb_unknown_alias.any': 'Sparkplug {type} uses an alias no birth defined: rebirth requested',
  /** A metric's own timestamp is out of range: `{problem}` is a 'problem.ts_*'. */
  'quarantine.spb_metric': 'Sparkplug metric "{name}": {problem}',
  'quarantine.spb_values': 'Sparkplug {type} of "{source}": {reason}',
  'quarantine.spb_state_not_json': 'Sparkplug STATE payload is not JSON',
  'quarantine.tags_too_large': 'tag payload too large ({bytes} bytes; inputs "{input}" maxPayloadBytes {max})',
  'quarantine.tags_too_large.any': 'tag payload too large',
  'quarantine.tags_values': 'tags of "{source}": {reason}',

  // ---- what is wrong with one field (the `problem` of 'quarantine.field' and 'refusal.field'): the schema
  // library's messages and our own. Anything else is 'text'.
  'problem.expected_type': 'Invalid input: expected {expected}, received {received}',
  'problem.expected_value': 'Invalid input: expected {value}',
  'problem.one_of': 'Invalid option: expected one of {values}',
  'problem.too_big': 'Too big: expected {subject} to be {limit}',
  'problem.too_small': 'Too small: expected {subject} to be {limit}',
  'problem.too_long': 'Too big: expected string to have {limit} characters',
  'problem.too_short': 'Too small: expected string to have {limit} characters',
  'problem.too_many': 'Too big: expected array to have {limit} items',
  'problem.too_few': 'Too small: expected array to have {limit} items',
  'problem.bad_discriminator': 'Invalid discriminator value. Expected {values}',
  'problem.unknown_key': 'Unrecognized key: {keys}',
  'problem.unknown_keys': 'Unrecognized keys: {keys}',
  'problem.invalid': 'Invalid input',
  'problem.ts_type': 'must be integer epoch milliseconds or an RFC 3339 string with offset',
  'problem.ts_format': 'must be an RFC 3339 timestamp with offset',
  'problem.not_real_date': 'not a real date',
  'problem.lone_surrogate': 'contains a lone surrogate (not well-formed Unicode)',
  'problem.lone_surrogate.any': 'contains a lone surrogate',
  'problem.date_format': 'must be a date YYYY-MM-DD',
  'problem.no_such_date': '{value} is not a date that exists',
  // ...of an input adapter's sample (a tag, a Sparkplug metric). `{got}` is the value as sent (JSON text,
  // a number, null) or 'value.array' / 'value.object'.
  'problem.missing': 'missing',
  'problem.not_number': 'must be a number',
  'problem.ts_epoch_or_text': 'must be epoch milliseconds or an RFC 3339 string with offset',
  'problem.ts_not_epoch_ms': 'timestamp {ts} is not epoch milliseconds',
  'problem.ts_future': 'timestamp more than 5 minutes in the future ({time})',
  'problem.ts_future.any': 'timestamp more than 5 minutes in the future',
  'problem.ts_too_old': 'timestamp older than the raw-data retention',
  'problem.ts_too_old_seconds': 'timestamp older than the raw-data retention (seconds instead of milliseconds?)',
  'problem.tag_values': 'must be an object of tag values',
  'problem.tag_errors': 'must be an object of tag error codes',
  'problem.seq_tag': 'a sequence tag must be a whole number ≥ 0',
  'problem.counter': 'a counter must be a whole number ≥ 0, got {got}',
  'problem.state_value': 'a state value must be a number, text or true/false, got {got}',
  'problem.reason_value': 'a reason must be a number or text, got {got}',
  'problem.cycle_time': 'a cycle time must be a number ≥ 0 and under a day, got {got}',
  'value.array': 'an array',
  'value.object': 'an object',

  // ---- the configuration's own rules (shared/config.ts builds its messages from these): the problem of one
  // field of a configuration (checkConfig, applyConfig). The schema library's messages are the 'problem.*'
  // above. A value in quotes is the configuration's own ({id}, {line}); `{value}` is the input as JSON. Braces
  // that are not parameters ({node}, {site}…) are the topic placeholders themselves, shown as they are.
  'config.hhmm': 'must be local time HH:MM (00:00–23:59)',
  'config.name': 'must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}',
  'config.weekday': 'unknown weekday {value} (use {weekdays})',
  'config.date': '{value} is not a date YYYY-MM-DD that exists',
  'config.no_days': 'must list at least one weekday (leave it out for every day)',
  'config.spaces': 'must not start or end with a space',
  'config.escalate_three': 'must list three times, one per level (seconds open), e.g. [0, 600, 1800]',
  'config.escalate_order': 'must start at 0 and not decrease',
  'config.sha256': 'must be the hex SHA-256 of the token (64 characters 0-9a-f)',
  'config.broker_url': 'must be mqtt://, mqtts://, ws:// or wss://host[:port]',
  'config.topic_level': 'must be one topic level: no "/", "+" or "#"',
  'config.not_a_state': '{value} is not a state ({states})',
  'config.state_reserved': '"STATE" is reserved by Sparkplug 3.0',
  'config.one_primary_host': 'only one input can be the primary host application (one will per connection)',
  'config.duplicate_input': 'duplicate input id "{id}"',
  'config.same_source': 'maps the same source as sources[{index}]',
  'config.not_a_group': '"{group}" is not one of this input\'s groups',
  'config.good_needs_reject': '"good" needs a rejectCounter',
  'config.state_needed': 'needed by stateValues and reason',
  'config.tag_level': 'level {level} "{value}" must be a literal, "+", {node}, {group}, or a final "#"',
  'config.tag_once': '{node} and {group} may each appear once',
  'config.timezone': 'unknown IANA timezone "{timezone}"',
  'config.pattern_once': 'must contain {placeholder} exactly once as a whole level',
  'config.pattern_levels': 'levels must be non-empty literals or {site}/{line}/{station}/{event}, without + or #',
  'config.duplicate_line': 'duplicate line id "{id}"',
  'config.duplicate_stations': 'station ids must be unique',
  'config.more_than_takt': 'must be more than targetTaktS ({value} s)',
  'config.more_than_small_stop': 'must be more than smallStopAfterS ({value} s)',
  'config.not_a_station': '"{station}" is not one of the line\'s stations',
  'config.all_reserved': '"ALL" is reserved for the day row',
  'config.duplicate_shift': 'duplicate shift name "{name}"',
  'config.day_twice': 'lists a weekday twice',
  'config.break_outside': 'break {start}–{end} is not inside shift {shiftStart}–{shiftEnd}',
  'config.down_reason_twice': '"{code}" is listed twice as a down reason',
  'config.reject_reason_twice': '"{code}" is listed twice as a reject reason',
  'config.not_a_line': '"{line}" is not a configured line',
  'config.feeds_itself': 'a line cannot feed itself',
  'config.duplicate_token': 'duplicate token name "{name}"',
  'config.listed_twice': '{date} is listed twice',
  'config.holiday_and_workday': '{date} is also a holiday: a date is either a holiday or a make-up working day',

  // ---- what a configuration changes against the newest version (shared/versions.ts changeWords; its parts
  // joined by "; " are the `summary` of a version). `{field}` is a line's field, `{section}` a top-level one,
  // by their configuration names; `{from}` and `{to}` are values as JSON, '—' for none.
  'change.none': 'no change',
  'change.first': 'first version: {lines} line(s), {shifts} shift(s)',
  'change.line_added': 'line added: {line}',
  'change.line_removed': 'line removed: {line}',
  'change.stations_added': 'stations added to {line}: {stations}',
  'change.stations_removed': 'stations removed from {line}: {stations}',
  'change.stations_reordered': 'stations of {line} reordered',
  'change.line_field': '{field} of {line}: {from} → {to}',
  'change.section': '{section} changed',
  'change.connection_only': 'no change to the figures (connection settings only)',

  // ---- refusals: HTTP `{"error", "words"}`, IPC replies, request errors
  'refusal.cross_site': 'cross-site request refused',
  'refusal.internal': 'internal error',
  'refusal.bad_url': 'bad URL',
  'refusal.token_required': 'access token required',
  'refusal.bearer_format': 'the Authorization header must be "Bearer <token>"',
  'refusal.token_unknown': 'access token not recognised',
  'refusal.needs_role': '{action} needs the {role} role',
  'refusal.write_needs_token': '{action} changes what the plant records: it needs a token of the {role} role (Authorization: Bearer <token>)',
  'refusal.write_role_low': '{action} needs the {role} role; the token "{who}" has the {has} role',
  'refusal.method': 'method not allowed',
  'refusal.use_post': 'use POST',
  'refusal.not_found': 'not found',
  'refusal.unknown_request': 'unknown request "{name}"',
  'refusal.body_too_large': 'request body larger than {limit} bytes',
  'refusal.bad_json': 'body is not valid JSON',
  /** One bad argument; several are joined ('join'). */
  'refusal.field': '{field}: {problem}',
  'refusal.unknown_line': 'unknown line "{line}"',
  'refusal.unknown_shift': 'unknown shift "{shift}" (configured: {configured}, ALL)',
  'refusal.shift_not_running': 'shift "{shift}" does not run on {date} (shifts that day: {shifts})',
  'refusal.no_shift_that_day': 'shift "{shift}" does not run on {date} (no shift that day)',
  'refusal.untrusted_sender': '{name}: refused, the caller is not the Taktboard window',
  'refusal.extra_arguments': '{name}: expected one argument object, got {count} arguments',
  'refusal.bad_arguments': '{name}: bad arguments: {issues}',
  /** A request refused for what it asked: its name, then why. */
  'refusal.request': '{name}: {reason}',
  'refusal.failed': '{name} failed: an internal error (details in the application log)',
  'refusal.no_reply': '{name}: no reply from the application',
  'refusal.quitting': 'the application is quitting',
  'refusal.not_running': 'the monitor is not running',
  'refusal.server_unreachable': 'the app server does not answer',
  'refusal.http': 'HTTP {status}',

  // ---- composition
  /** Two or more messages of one kind (a payload's schema issues), first and the rest. */
  join: '{first}; {rest}',
  /** A message that exists only as text (another program's words, or one from an older build). */
  text: '{text}',
} as const satisfies Record<string, string>;

export type WordKey = keyof typeof ENGLISH;
export type WordParam = string | number | Words;

/** A message as a key and its parameters; `english(words)` is the text sent beside it. */
export interface Words {
  key: WordKey;
  params?: Readonly<Record<string, WordParam>>;
}

export const WORD_KEYS = Object.keys(ENGLISH) as WordKey[];

export function isWordKey(key: unknown): key is WordKey {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(ENGLISH, key);
}

/** How deep words may nest (a field's problem inside a list of issues inside a refusal). */
const MAX_DEPTH = 64;

/**
 * Fills a template set: `templateOf` gives a key's template (or undefined for a key it does not know). Null
 * when the words are malformed or use a key the set lacks, so the caller can show the English instead of
 * half a sentence. A parameter the template names but `params` lacks stays visible as `{name}`.
 */
export function renderWords(words: unknown, templateOf: (key: string) => string | undefined, depth = 0): string | null {
  if (depth > MAX_DEPTH || typeof words !== 'object' || words === null) return null;
  const { key, params } = words as { key?: unknown; params?: unknown };
  if (typeof key !== 'string') return null;
  const template = templateOf(key);
  if (template === undefined) return null;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return null;
  const values = (params ?? {}) as Record<string, unknown>;
  let broken = false;
  const text = template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(values, name)) return whole;
    const value = values[name];
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    const inner = renderWords(value, templateOf, depth + 1);
    if (inner === null) broken = true;
    return inner ?? '';
  });
  return broken ? null : text;
}

const englishOf = (key: string): string | undefined => (isWordKey(key) ? ENGLISH[key] : undefined);

/** The English sentence of these words: what `error`, `message` and `reason` carry beside them. */
export function english(words: Words): string {
  return renderWords(words, englishOf) ?? words.key;
}

/** The `{name}`s of a template, sorted, each once. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

export function words(key: WordKey, params?: Record<string, WordParam>): Words {
  return params ? { key, params } : { key };
}

/** Several messages as one (each shown, in order); a single one as itself. */
export function joinWords(list: readonly Words[]): Words {
  if (list.length === 0) return { key: 'text', params: { text: '' } };
  return list.length === 1 ? list[0] : { key: 'join', params: { first: list[0], rest: joinWords(list.slice(1)) } };
}

// ---- from English back to words -----------------------------------------------------------------
// Where only the English exists — a schema library's message, a quarantine count (counted by its English),
// a row stored by an older build — the words are found by matching the templates. A match counts only when
// its words give back the very same English, so the English shown is never changed by this.

const regexCache = new Map<string, { re: RegExp; names: string[] }>();

function templateRegex(template: string): { re: RegExp; names: string[] } {
  let hit = regexCache.get(template);
  if (!hit) {
    const names: string[] = [];
    const source = template
      .split(/(\{\w+\})/)
      .map((part) => {
        const m = /^\{(\w+)\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]);
        return '([\\s\\S]*?)';
      })
      .join('');
    hit = { re: new RegExp(`^${source}$`), names };
    regexCache.set(template, hit);
  }
  return hit;
}

/** Keys with the most fixed text first, so the most specific template is tried first. */
function bySpecificity(keys: readonly WordKey[]): WordKey[] {
  const fixed = (k: WordKey) => ENGLISH[k].replace(/\{\w+\}/g, '').length;
  return [...keys].sort((a, b) => fixed(b) - fixed(a));
}

/** The first of `keys` whose template gives exactly `text`; `nested` turns a named parameter into words. */
export function matchWords(text: string, keys: readonly WordKey[], nested: Readonly<Record<string, (s: string) => WordParam | null>> = {}): Words | null {
  for (const key of keys) {
    const { re, names } = templateRegex(ENGLISH[key]);
    const m = re.exec(text);
    if (!m) continue;
    const params: Record<string, WordParam> = {};
    let ok = true;
    names.forEach((name, i) => {
      const value = nested[name] ? nested[name](m[i + 1]) : m[i + 1];
      if (value === null) ok = false;
      else params[name] = value;
    });
    if (!ok) continue;
    const found = words(key, names.length ? params : undefined);
    if (english(found) === text) return found;
  }
  return null;
}

const PROBLEM_KEYS = bySpecificity(WORD_KEYS.filter((k) => k.startsWith('problem.')));
const REASON_KEYS = bySpecificity(WORD_KEYS.filter((k) => k.startsWith('quarantine.') && k !== 'quarantine.field'));
const VALUE_KEYS = bySpecificity(WORD_KEYS.filter((k) => k.startsWith('value.')));

const asText = (text: string): Words => ({ key: 'text', params: { text } });

/** A value as sent ('got {got}'): 'an array' and 'an object' are words, anything else stays as it came. */
const valueParam = (text: string): WordParam => matchWords(text, VALUE_KEYS) ?? text;

/** The parameters that are themselves words, by name, wherever a template of these kinds names them. */
const PROBLEM_NESTED = { got: valueParam };
const REASON_NESTED: Record<string, (s: string) => WordParam> = {
  problem: (s) => problemWords(s),
  reason: (s) => reasonWords(s) ?? asText(s),
};

/** A field's problem as words: a known message as its key, any other as 'text'. */
export function problemWords(message: string): Words {
  return matchWords(message, PROBLEM_KEYS, PROBLEM_NESTED) ?? asText(message);
}

const CONFIG_KEYS = bySpecificity(WORD_KEYS.filter((k) => k.startsWith('config.')));

/** A configuration field's problem as words: one of the configuration's own rules, else as `problemWords`. */
export function configProblemWords(message: string): Words {
  return matchWords(message, CONFIG_KEYS) ?? problemWords(message);
}

/** "field: problem" under `key` ('quarantine.field' or 'refusal.field'). */
export function fieldWords(key: 'quarantine.field' | 'refusal.field', field: string, message: string): Words {
  return { key, params: { field, problem: problemWords(message) } };
}

/**
 * The words of a quarantine reason known only as English: a stored row without words, or a count of
 * `quarantineByReason` (its English with the values left out). Null when no template gives it exactly.
 */
export function reasonWords(reason: string): Words | null {
  const whole = matchWords(reason, REASON_KEYS, REASON_NESTED);
  if (whole) return whole;
  // Schema issues: "field: problem; field: problem".
  const issues = reason.split('; ').map((issue) => {
    const colon = issue.indexOf(': ');
    return colon > 0 ? fieldWords('quarantine.field', issue.slice(0, colon), issue.slice(colon + 2)) : null;
  });
  if (issues.some((w) => w === null)) return null;
  const joined = joinWords(issues as Words[]);
  return english(joined) === reason ? joined : null;
}

// A plant timezone chosen so that a test runs at a known local hour whenever CI runs it (between shifts,
// say), instead of depending on the time of day.

/** An Etc/GMT zone in which it is now `hour`:xx (Etc/GMT-8 is UTC+8). */
export function zoneAt(hour: number, now = new Date()): string {
  let offset = hour - now.getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

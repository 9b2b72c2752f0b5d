/**
 * Pano's business time zone when `PANO_TIMEZONE` is not set: the directorate works in Istanbul. The one place the
 * default is written; Node code takes the configured zone (PanoConfig.timezone) and falls back to this. Browser-safe.
 */
export const DEFAULT_TIMEZONE = 'Europe/Istanbul';

/**
 * True for a time zone name the runtime's ICU knows (an IANA name such as Europe/Istanbul, or UTC) that is also
 * safe to write into SQL: letters, digits and `_ + - /` only.
 */
export function isTimeZoneName(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// Wall times in a named zone <-> instants, and display in the viewer's and the center's zone.
import { lang } from "../../i18n";

function offsetMinutes(at: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return Math.round((wall - at.getTime()) / 60000);
}

/** "2026-12-01T12:00" read as a wall time in `tz` -> the instant. */
export function zonedToUtc(local: string, tz: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!m) throw new Error(`not a local date-time: ${local}`);
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let at = new Date(guess - offsetMinutes(new Date(guess), tz) * 60000);
  at = new Date(guess - offsetMinutes(at, tz) * 60000); // again, across an offset change
  return at;
}

/** The wall time of an instant in `tz`, as a datetime-local value. */
export function utcToZoned(at: Date, tz: string): string {
  const shifted = new Date(at.getTime() + offsetMinutes(at, tz) * 60000);
  return shifted.toISOString().slice(0, 16);
}

export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function fmt(iso: string, tz: string): string {
  return new Intl.DateTimeFormat(lang() === "ko" ? "ko-KR" : "en-US", {
    timeZone: tz,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(iso));
}

/** An instant in the center's zone, and in the viewer's when that differs. */
export function both(iso: string, zone: string): string {
  const mine = viewerZone();
  return mine === zone ? fmt(iso, zone) : `${fmt(iso, zone)} (${fmt(iso, mine)} ${mine})`;
}

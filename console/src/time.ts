// Times in the viewer's zone and the queue's zone; durations as m:ss / h:mm:ss.
import { lang } from "./i18n";

export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function formatTime(epochSeconds: number | null | undefined, timeZone?: string): string {
  if (epochSeconds == null) return "";
  return new Intl.DateTimeFormat(lang() === "ko" ? "ko-KR" : "en-US", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    month: "short",
    day: "numeric",
    timeZoneName: "short",
  }).format(new Date(epochSeconds * 1000));
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !isFinite(seconds)) return "";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

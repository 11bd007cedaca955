// The page's runtime config, served by console_http at config.json (relative to the
// page's <base>): Firebase web config, every HTTP function's public URL, the Auth emulator.
export interface ConsoleConfig {
  firebase: { apiKey: string; authDomain: string; projectId: string };
  authEmulator: string | null;
  functions: Record<string, string>;
}

let loaded: ConsoleConfig | null = null;

export async function loadConfig(): Promise<ConsoleConfig> {
  if (loaded) return loaded;
  const r = await fetch("config.json", { cache: "no-cache" });
  if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
  loaded = (await r.json()) as ConsoleConfig;
  return loaded;
}

export function config(): ConsoleConfig {
  if (!loaded) throw new Error("config not loaded");
  return loaded;
}

export function functionUrl(fn: string): string {
  const url = config().functions[fn];
  if (!url) throw new Error(`no URL for function ${fn}`);
  return url.replace(/\/$/, "");
}

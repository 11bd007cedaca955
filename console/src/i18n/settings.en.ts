// Strings of the Settings pages (English); owned by the settings pages.
const settingsEn: Record<string, string> = {};
export default settingsEn;

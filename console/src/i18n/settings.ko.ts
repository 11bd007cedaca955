// Strings of the Settings pages (Korean); owned by the settings pages.
const settingsKo: Record<string, string> = {};
export default settingsKo;

// The admin Settings pages live under this folder (route #/settings/...).
import { t } from "../../i18n";

export function SettingsPage(_props: { parts: string[] }) {
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t("nav.settings")}</h1>
      <p data-testid="settings-placeholder">{t("settings.placeholder")}</p>
    </section>
  );
}

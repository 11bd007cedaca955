import { t } from "../i18n";
import { useMe } from "../me";
import { viewerZone } from "../time";

export function AccountPage(props: { nothingElse: boolean }) {
  const me = useMe();
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">{t("account.title")}</h1>
      {props.nothingElse && <p data-testid="account-nothing">{t("account.nothing")}</p>}
      <dl class="facts">
        <dt>{t("user.id")}</dt>
        <dd data-testid="account-id">{me.user.id}</dd>
        <dt>{t("user.roles")}</dt>
        <dd data-testid="account-roles">{me.user.roles.map((r) => r.name).join(", ")}</dd>
        <dt>{t("user.teams")}</dt>
        <dd data-testid="account-teams">
          {me.user.all_queues ? t("user.all_teams") : me.user.teams.map((x) => x.name).join(", ")}
        </dd>
        <dt>{t("user.permissions")}</dt>
        <dd data-testid="account-permissions">{me.user.permissions.join(", ") || t("common.none")}</dd>
        <dt>{t("user.time_zone")}</dt>
        <dd>{viewerZone()}</dd>
      </dl>
    </section>
  );
}

// Preview (14 days of decisions) and save for one resource form.
import { useState } from "preact/hooks";
import { t } from "../../i18n";
import { call, type ApiErrorBody } from "./client";
import { PreviewTable, type PreviewBody } from "./preview";
import type { Resource } from "./resource";
import { ConflictView, ErrorBox, Status } from "./widgets";

export function SaveBar<T>({
  res,
  path,
  form,
  zone,
  testid,
  label,
  method = "PUT",
}: {
  res: Resource<T>;
  path: string;
  form: T;
  zone: string;
  testid: string;
  label?: string;
  method?: "PUT" | "PATCH";
}) {
  const [preview, setPreview] = useState<PreviewBody | null>(null);
  const [previewOf, setPreviewOf] = useState<string | null>(null);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const snapshot = JSON.stringify(form);
  const run = async () => {
    const r = await call<PreviewBody>("settings_http", "/settings/preview", {
      method: "POST",
      body: { changes: [{ method, path, body: form }], days: 14 },
    });
    setError(r.error);
    setPreview(r.error ? null : r.body);
    setPreviewOf(snapshot);
  };
  return (
    <div>
      <ErrorBox error={res.error} testid={`${testid}-error`} />
      {res.conflict && <ConflictView conflict={res.conflict} onKeepTheirs={res.keepTheirs} onOverwrite={res.overwrite} />}
      <div class="settings-actions">
        <button type="button" onClick={run} data-testid={`${testid}-preview`}>
          {t("settings.preview.run")}
        </button>
        <button
          type="button"
          data-testid={`${testid}-save`}
          onClick={async () => {
            if (await res.save(form, method)) setPreview(null);
          }}
        >
          {label ?? t("settings.save")}
        </button>
      </div>
      <Status text={res.saved ? t("settings.saved") : null} testid={`${testid}-status`} />
      <ErrorBox error={error} testid={`${testid}-preview-error`} />
      {preview && <PreviewTable body={preview} zone={zone} stale={previewOf !== snapshot} />}
    </div>
  );
}

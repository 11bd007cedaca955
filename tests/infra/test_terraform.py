"""infra/ checked offline: parsed with python-hcl2 and asserted against the code it deploys."""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from core.settings import Settings
from emulators.provision import BUCKETS, QUEUES, SOFT_DELETE_SECONDS
from tests.infra import tf

MANIFEST = tf.manifest()
FUNCTIONS = tf.functions()
EVENT = tf.functions("pubsub")
HTTP = tf.functions("http")
TOPICS = MANIFEST["topics"]
# Function names .tf files may spell out, each for one reason: the carrier webhooks and the
# Apps API live in these functions (outputs.tf), Cloud Tasks calls the recordings worker
# (functions.tf), and the retention alert watches the sweeper's logs (monitoring.tf).
NAMED_IN_TF = {
    "deflection_http",
    "sessions_http",
    "recordings_http",
    "attributes_http",
    "recordings_sweeper",
}


def test_every_tf_file_parses() -> None:
    assert len(tf.tf_files()) >= 10
    assert set(tf.parsed()) == {p.name for p in tf.tf_files()}


# -- the manifest is the one list of functions ---------------------------------------------


def test_functions_come_from_the_manifest_only() -> None:
    loc = tf.locals_()
    assert loc["manifest"] == '${jsondecode(file("${path.module}/../functions/manifest.json"))}'
    assert loc["functions"].startswith("${{for k, f in local.manifest.functions : k =>")
    assert loc["topics"] == "${local.manifest.topics}"
    assert loc["secrets"] == "${local.manifest.secrets}"
    assert loc["schedules"] == "${local.manifest.schedules}"
    # No hand-written function list left: a function name appears in .tf only where one
    # specific function is meant (NAMED_IN_TF), never as an enumeration.
    text = tf.all_text()
    named = {name for name in FUNCTIONS if re.search(rf"\b{name}\b", text)}
    assert named <= NAMED_IN_TF, f"functions named by hand in infra/: {named - NAMED_IN_TF}"
    assert NAMED_IN_TF <= set(FUNCTIONS), NAMED_IN_TF - set(FUNCTIONS)
    for entrypoint_list in ("entrypoints", "access"):
        assert entrypoint_list not in loc, f"local.{entrypoint_list} mirrors the manifest"
    # Every manifest key infra/ needs is copied into local.functions.
    for key in (
        "module",
        "description",
        "public",
        "secrets",
        "publishes",
        "buckets",
        "sign_urls",
        "enqueue_tasks",
        "memory",
        "timeout_seconds",
        "concurrency",
        "min_instances",
        "max_instances",
    ):
        assert f"{key} = f.{key}" in loc["functions"], key
    assert "cpu_always_allocated = try(f.cpu_always_allocated, false)" in loc["functions"]
    assert 'kind = f.trigger.type == "pubsub" ? "event" : "http"' in loc["functions"]
    assert "topic = try(f.trigger.topic, null)" in loc["functions"]


def test_manifest_access_uses_known_names() -> None:
    secrets, topics = MANIFEST["secrets"], set(TOPICS)
    for name, f in FUNCTIONS.items():
        assert set(f["secrets"]) <= set(secrets), name
        assert set(f["publishes"]) <= topics, name
        assert set(f["buckets"]) <= set(BUCKETS), name
        assert isinstance(f["sign_urls"], bool) and isinstance(f["enqueue_tasks"], bool), name
        assert f["trigger"]["type"] in ("http", "pubsub"), name
        if f["trigger"]["type"] == "pubsub":
            assert f["trigger"]["topic"] in topics and not f["public"], name
    enqueuers = [n for n, f in FUNCTIONS.items() if f["enqueue_tasks"]]
    assert enqueuers and all(
        n.startswith("recordings_") or n == "deflection_http" for n in enqueuers
    ), "only the recordings functions and scheduled calls (deflection_http) enqueue Cloud Tasks"
    assert "dead-letter" in topics
    # Every schedule ticks a topic some event function listens on.
    triggered = {f["trigger"]["topic"] for f in EVENT.values()}
    assert set(MANIFEST["schedules"]) <= triggered & topics


def test_manifest_modules_exist_and_expose_handle() -> None:
    """What the source zip deploys has the handler each manifest entry names."""
    for name, f in FUNCTIONS.items():
        path = tf.FUNCTIONS / (f["module"].replace(".", "/") + ".py")
        assert path.exists(), (name, f["module"])
        tree = ast.parse(path.read_text())
        handles = [
            n for n in tree.body if isinstance(n, ast.FunctionDef | ast.Assign) and (
                getattr(n, "name", None) == "handle"
                or any(isinstance(t, ast.Name) and t.id == "handle"
                       for t in getattr(n, "targets", []))
            )
        ]  # fmt: skip
        assert handles, f"{f['module']} has no module-level handle"
        assert f["description"], name


def test_least_privilege_grants_are_derived_from_the_manifest() -> None:
    loc = tf.locals_()
    assert "for t in f.publishes" in loc["fn_publish"]
    assert "for b in f.buckets" in loc["fn_buckets"]
    assert "for s in f.secrets" in loc["fn_secrets"]
    assert loc["fn_signers"] == "${toset([for k, f in local.functions : k if f.sign_urls])}"
    assert loc["fn_enqueuer"] == "${toset([for k, f in local.functions : k if f.enqueue_tasks])}"


def _run_service() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The Cloud Run service resource, its template and its one container."""
    run = tf.resource("google_cloud_run_v2_service", "fn")
    template = tf.block(run, "template")
    return run, template, tf.block(template, "containers")


def test_function_sizing_comes_from_the_manifest() -> None:
    svc = tf.block(tf.resource("google_cloudfunctions2_function", "fn"), "service_config")
    assert svc["available_memory"] == "${each.value.memory}"
    assert svc["timeout_seconds"] == "${each.value.timeout_seconds}"
    assert svc["max_instance_request_concurrency"] == "${each.value.concurrency}"
    assert svc["min_instance_count"] == "${each.value.min_instances}"
    assert svc["max_instance_count"] == "${each.value.max_instances}"
    assert svc["available_cpu"] == (
        '${each.value.cpu != null ? each.value.cpu : (each.value.concurrency > 1 ? "1" : null)}'
    )
    # The same manifest keys size a function deployed as a Cloud Run service.
    _, template, container = _run_service()
    assert template["timeout"] == "${each.value.timeout_seconds}s"
    assert template["max_instance_request_concurrency"] == "${each.value.concurrency}"
    scaling = tf.block(template, "scaling")
    assert scaling["min_instance_count"] == "${each.value.min_instances}"
    assert scaling["max_instance_count"] == "${each.value.max_instances}"
    resources = tf.block(container, "resources")
    assert resources["limits"] == {"cpu": "${each.value.cpu}", "memory": "${each.value.memory}"}
    for name, f in FUNCTIONS.items():
        assert re.fullmatch(r"[1-9][0-9]*(Mi|Gi|M|G)", f["memory"]), (name, f["memory"])
        # 2nd gen HTTP functions run up to 60 minutes.
        assert 1 <= f["timeout_seconds"] <= 3600, name
        assert 1 <= f["concurrency"] <= 1000, name
        assert 0 <= f["min_instances"] <= f["max_instances"], name
        if f["trigger"]["type"] == "pubsub":
            # A push is acknowledged by the answer, within the ack deadline (600 s at most):
            # a longer run would be redelivered while it still works.
            assert f["timeout_seconds"] <= 600, name
    for key in ("sizing", "function_memory", "function_timeout_seconds"):
        assert key not in tf.variables(), f"var.{key} would shadow the manifest"


def test_runtime_environment_comes_from_the_manifest() -> None:
    """glibc's MALLOC_ARENA_MAX and the like: declared once, deployed to every function
    (the emulator suite and the benches read the same manifest key)."""
    assert tf.locals_()["runtime_env"] == "${local.manifest.runtime.env}"
    assert "local.runtime_env" in tf.locals_()["function_env"]
    svc = tf.block(tf.resource("google_cloudfunctions2_function", "fn"), "service_config")
    assert svc["environment_variables"] == "${local.function_env[each.key]}"
    _, _, container = _run_service()
    plain = tf.dynamic(container, "env")
    assert plain["for_each"] == "${local.function_env[each.key]}"
    env = MANIFEST["runtime"]["env"]
    assert env == {"MALLOC_ARENA_MAX": "2"}
    assert not set(env) & set(tf.locals_()["common_env"]), "declared twice"


def test_every_function_has_its_own_service_account() -> None:
    fn = tf.resource("google_cloudfunctions2_function", "fn")
    assert fn["for_each"] == "${local.gcf_functions}"
    build = tf.block(fn, "build_config")
    assert build["runtime"] == "${local.python_runtime}"
    assert tf.locals_()["python_runtime"] == "python311"
    assert build["entry_point"] == "${each.key}"
    src = tf.block(tf.block(build, "source"), "storage_source")
    assert src["object"] == "${google_storage_bucket_object.source.name}"
    svc = tf.block(fn, "service_config")
    assert svc["service_account_email"] == "${google_service_account.fn[each.key].email}"
    # A function deployed as a Cloud Run service: the same zip, entry point, runtime and
    # build account, and its own runtime account.
    run, template, _ = _run_service()
    assert run["for_each"] == "${local.run_functions}"
    assert run["name"] == "${local.function_names[each.key]}"
    rbuild = tf.block(run, "build_config")
    assert rbuild["function_target"] == "${each.key}"
    assert rbuild["source_location"] == (
        "gs://${google_storage_bucket.source.name}/${google_storage_bucket_object.source.name}"
    )
    assert rbuild["service_account"] == build["service_account"]
    assert "${local.python_runtime}" in tf.locals_()["base_image"]
    assert rbuild["base_image"] == "${local.base_image}"
    assert template["service_account"] == "${google_service_account.fn[each.key].email}"
    assert "event_trigger" not in json.dumps(run)
    assert "event_trigger" not in json.dumps(fn), "event functions are fed by push subscriptions"
    sa = tf.resource("google_service_account", "fn")
    assert sa["for_each"] == "${local.functions}"
    assert sa["account_id"] == "${local.account_ids[each.key]}"
    # Account ids as Terraform computes them: unique and valid for every function.
    expr = tf.locals_()["account_ids"]
    assert 'fn-${trimsuffix(substr(local.function_names[k], 0, 27), "-")}' in expr
    ids = {n: "fn-" + n.replace("_", "-")[:27].rstrip("-") for n in FUNCTIONS}
    assert len(set(ids.values())) == len(ids)
    for name, acc in ids.items():
        assert re.fullmatch(r"[a-z][-a-z0-9]{4,28}[a-z0-9]", acc), (name, acc)
    # Cloud Run service names: lowercase letters, digits and hyphens, <= 63 (and the
    # run.app host SERVICE-PROJECTNUMBER.REGION.run.app keeps its first label <= 63).
    assert tf.locals_()["function_names"].startswith("${{for k, v in local.functions")
    for name in FUNCTIONS:
        assert re.fullmatch(r"[a-z][-a-z0-9]{0,44}[a-z0-9]", name.replace("_", "-"))


def test_ingress_and_invokers() -> None:
    svc = tf.block(tf.resource("google_cloudfunctions2_function", "fn"), "service_config")
    assert svc["ingress_settings"] == '${each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"}'
    run, _, _ = _run_service()
    assert run["ingress"] == (
        '${each.value.public ? "INGRESS_TRAFFIC_ALL" : "INGRESS_TRAFFIC_INTERNAL_ONLY"}'
    )
    # Invoker grants name the Cloud Run service of each function, whichever resource
    # deployed it.
    names = tf.locals_()["service_names"]
    assert "google_cloudfunctions2_function.fn" in names
    assert "google_cloud_run_v2_service.fn" in names
    for invoker in ("public_invoker", "tasks_invoker", "push_invoker"):
        grant = tf.resource("google_cloud_run_service_iam_member", invoker)
        assert grant["service"] == "${local.service_names[each.key]}", invoker
    public = tf.resource("google_cloud_run_service_iam_member", "public_invoker")
    assert public["for_each"] == "${{for k, v in local.http_functions : k => v if v.public}}"
    assert public["member"] == "allUsers" and public["role"] == "roles/run.invoker"
    assert not any(f["public"] for f in EVENT.values()), "event functions are never public"
    # allUsers / allAuthenticatedUsers appear in that one resource and on the static
    # fallback TwiML only.
    hits = [
        (t, n)
        for t, n, body in tf.all_resources()
        if "allUsers" in json.dumps(body) or "allAuthenticatedUsers" in json.dumps(body)
    ]
    assert sorted(hits) == [
        ("google_cloud_run_service_iam_member", "public_invoker"),
        ("google_storage_bucket_iam_member", "twiml_public"),
    ]
    tasks = tf.resource("google_cloud_run_service_iam_member", "tasks_invoker")
    assert tasks["member"] == "${google_service_account.tasks_invoker.member}"
    assert '"recordings_http"' in tf.locals_()["tasks_targets"]
    push = tf.resource("google_cloud_run_service_iam_member", "push_invoker")
    assert push["for_each"] == "${local.event_functions}"
    assert push["member"] == "${google_service_account.pubsub_push.member}"
    assert push["role"] == "roles/run.invoker"


def test_event_functions_are_fed_by_push_subscriptions_with_dead_letters() -> None:
    sub = tf.resource("google_pubsub_subscription", "push")
    assert sub["for_each"] == "${local.event_functions}"
    assert sub["topic"] == "${google_pubsub_topic.topic[each.value.topic].id}"
    push = tf.block(sub, "push_config")
    assert push["push_endpoint"] == "${local.function_urls[each.key]}"
    oidc = tf.block(push, "oidc_token")
    assert oidc["service_account_email"] == "${google_service_account.pubsub_push.email}"
    # The audience is the URL the function knows as PUBLIC_URL (it verifies the token).
    assert oidc["audience"] == "${local.function_urls[each.key]}"
    retry = tf.block(sub, "retry_policy")
    assert retry["minimum_backoff"] == "${local.dead_letter.min_retry_delay}"
    assert retry["maximum_backoff"] == "${local.dead_letter.max_retry_delay}"
    dlq = tf.block(sub, "dead_letter_policy")
    assert dlq["dead_letter_topic"] == (
        "${google_pubsub_topic.topic[local.manifest.push_delivery.dead_letter_topic].id}"
    )
    assert dlq["max_delivery_attempts"] == "${local.dead_letter.max_delivery_attempts}"
    # The values: the manifest's push_delivery (the emulator suite follows them too).
    policy = tf.locals_()["dead_letter"]
    assert policy["max_delivery_attempts"] == (
        "${local.manifest.push_delivery.max_delivery_attempts}"
    )
    assert policy["min_retry_delay"] == "${local.manifest.push_delivery.minimum_backoff_seconds}s"
    assert policy["max_retry_delay"] == "${local.manifest.push_delivery.maximum_backoff_seconds}s"
    assert 5 <= MANIFEST["push_delivery"]["max_delivery_attempts"] <= 100
    assert MANIFEST["push_delivery"]["dead_letter_topic"] == "dead-letter"
    assert sub["ack_deadline_seconds"] == "${min(600, max(10, each.value.timeout_seconds))}"
    assert tf.block(sub, "expiration_policy")["ttl"] == ""
    # The Pub/Sub service agent: publisher on the dead-letter topic, subscriber on each
    # push subscription (to forward dead letters), token creator on the push account.
    agent = tf.locals_()["pubsub_agent"]
    assert "@gcp-sa-pubsub.iam.gserviceaccount.com" in agent
    pub = tf.resource("google_pubsub_topic_iam_member", "agent_dead_letter")
    assert pub["role"] == "roles/pubsub.publisher" and "dead-letter" in pub["topic"]
    assert pub["member"] == "${local.pubsub_agent}"
    subr = tf.resource("google_pubsub_subscription_iam_member", "agent_subscriber")
    assert subr["for_each"] == "${local.event_functions}"
    assert subr["subscription"] == "${google_pubsub_subscription.push[each.key].name}"
    assert subr["role"] == "roles/pubsub.subscriber" and subr["member"] == "${local.pubsub_agent}"
    tok = tf.resource("google_service_account_iam_member", "agent_push_token")
    assert tok["service_account_id"] == "${google_service_account.pubsub_push.name}"
    assert tok["role"] == "roles/iam.serviceAccountTokenCreator"
    assert tok["member"] == "${local.pubsub_agent}"
    # Dead letters are kept (pull subscription, 7 days) and alerted on.
    keep = tf.resource("google_pubsub_subscription", "dead_letter")
    assert keep["topic"] == '${google_pubsub_topic.topic["dead-letter"].id}'
    assert "push_config" not in keep and keep["message_retention_duration"] == "604800s"
    alert = tf.resource("google_monitoring_alert_policy", "dead_letters")
    assert "google_pubsub_subscription.dead_letter.name" in json.dumps(alert)
    # No out-of-band step: `terraform apply` alone deploys the system.
    text = tf.all_text()
    for gone in ("local-exec", "terraform_data", "gcloud ", "eventarc"):
        assert gone not in text, gone


def test_event_function_urls_are_the_run_app_urls_pubsub_can_reach() -> None:
    urls = tf.locals_()["function_urls"]
    assert (
        '"https://${local.function_names[k]}-${data.google_project.this.number}.${var.region}.run.app"'
        in urls
    )
    assert (
        '"https://${var.region}-${var.project_id}.cloudfunctions.net/${local.function_names[k]}"'
        in urls
    )
    assert 'v.kind == "event" || v.cpu_always_allocated' in urls
    svc = tf.block(tf.resource("google_cloudfunctions2_function", "fn"), "service_config")
    assert svc["ingress_settings"] == '${each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"}'


def test_environment_names_are_the_settings_names() -> None:
    aliases = {f.alias for f in Settings.model_fields.values() if f.alias}
    # Capability settings, each read with its own env prefix (core.settings.Section).
    from recordings.config import RecordingsSettings
    from smartactions.config import SmartActionsSettings

    extra = {
        var
        for model in (RecordingsSettings, SmartActionsSettings)
        for var in model.env_vars().values()
    }
    loc = tf.locals_()
    common = set(loc["common_env"])
    secret_envs = set(MANIFEST["secrets"].values())
    assert "PUBLIC_URL = local.function_urls[k]" in loc["function_env"]
    set_by_tf = common | secret_envs | {"PUBLIC_URL"}
    assert set_by_tf <= aliases | extra, f"read by no settings: {set_by_tf - aliases - extra}"
    emulator_only = {a for a in aliases if a.endswith("_EMULATOR_HOST")}
    # The emulator suite's switch for token-less pushes (ignored with K_SERVICE set), and
    # the certificates URL, whose default is Google's.
    emulator_only |= {"EMULATOR_UNAUTHENTICATED_PUSH", MANIFEST["oidc"]["certs_url_env"]}
    assert aliases - emulator_only <= set_by_tf, (
        f"settings Terraform never sets: {aliases - emulator_only - set_by_tf}"
    )
    assert not common & secret_envs, "a secret must never be a plain env var"
    # The identities whose OIDC tokens the functions accept.
    assert (
        loc["common_env"]["PUSH_SERVICE_ACCOUNT"] == "${google_service_account.pubsub_push.email}"
    )
    assert (
        loc["common_env"]["RECORDINGS_TASKS_SERVICE_ACCOUNT"]
        == "${google_service_account.tasks_invoker.email}"
    )
    assert "jsonencode(local.http_function_urls)" in loc["common_env"]["FUNCTION_URLS"]


def test_function_urls_are_computed_not_read_back() -> None:
    urls = tf.locals_()["function_urls"]
    assert "cloudfunctions.net" in urls and "google_cloudfunctions2_function" not in urls
    assert "google_cloud_run_v2_service" not in urls
    for name in ("common_env", "function_env"):
        env = json.dumps(tf.locals_()[name])
        for rtype in ("google_cloudfunctions2_function", "google_cloud_run_v2_service"):
            assert rtype not in env, f"PUBLIC_URL/FUNCTION_URLS would cycle ({name})"


def test_recordings_bucket_never_keeps_anything_past_seven_days() -> None:
    b = tf.resource("google_storage_bucket", "recordings")
    assert b["uniform_bucket_level_access"] is True
    assert b["public_access_prevention"] == "enforced"
    assert tf.block(b, "soft_delete_policy")["retention_duration_seconds"] == 0
    assert tf.block(b, "versioning")["enabled"] is False
    assert "retention_policy" not in b
    assert b.get("default_event_based_hold", False) is False
    assert "autoclass" not in b
    deletes = [r for r in b["lifecycle_rule"] if tf.block(r, "action")["type"] == "Delete"]
    assert len(deletes) == 1
    age = tf.block(deletes[0], "condition")["age"]
    assert age == "${var.recordings_lifecycle_age_days}"
    var = tf.variables()["recordings_lifecycle_age_days"]
    assert var["default"] <= 7
    assert "var.recordings_lifecycle_age_days <= 7" in var["validation"][0]["condition"]
    assert "google_storage_bucket_object_retention" not in tf.all_text()


def test_buckets_keep_no_deleted_object_as_the_emulators_are_provisioned() -> None:
    for name in BUCKETS:
        b = tf.resource("google_storage_bucket", name)
        assert tf.block(b, "soft_delete_policy")["retention_duration_seconds"] == (
            SOFT_DELETE_SECONDS
        ), name


def test_media_bucket_private_with_its_own_lifecycle() -> None:
    b = tf.resource("google_storage_bucket", "media")
    assert b["uniform_bucket_level_access"] is True
    assert b["public_access_prevention"] == "enforced"
    deletes = [r for r in b["lifecycle_rule"] if tf.block(r, "action")["type"] == "Delete"]
    cond = tf.block(deletes[0], "condition")
    assert cond == {"days_since_custom_time": "${var.media_retention_days}"}
    env = tf.locals_()["common_env"]
    assert env["SMARTACTIONS_MEDIA_RETENTION_DAYS"] == "${tostring(var.media_retention_days)}"
    for name, body in tf.resources("google_storage_bucket").items():
        assert body["uniform_bucket_level_access"] is True, name
        if name != "twiml":  # the static fallback TwiML, public on purpose
            assert body["public_access_prevention"] == "enforced", name


def test_topics_and_scheduler_jobs() -> None:
    topic = tf.resource("google_pubsub_topic", "topic")
    assert topic["for_each"] == "${toset(local.topics)}"
    job = tf.resource("google_cloud_scheduler_job", "tick")
    assert job["for_each"] == "${local.schedules}"
    assert job["schedule"] == "${each.value.schedule}"
    assert (
        tf.block(job, "pubsub_target")["topic_name"] == "${google_pubsub_topic.topic[each.key].id}"
    )
    scheduled = {f["trigger"]["topic"] for f in EVENT.values()} & {
        t for t in TOPICS if t.startswith("scheduler-")
    }
    assert set(MANIFEST["schedules"]) == scheduled
    for topic_name, s in MANIFEST["schedules"].items():
        assert len(s["schedule"].split()) == 5, topic_name


# -- Cloud Tasks ---------------------------------------------------------------------------


def _code_backoff_constants() -> dict[str, float]:
    """Module-level numeric constants about backoff / attempts in functions/recordings."""
    found: dict[str, float] = {}
    for path in sorted((tf.FUNCTIONS / "recordings").glob("**/*.py")):
        for node in ast.parse(path.read_text()).body:
            targets: list[Any] = []
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            for t in targets:
                if isinstance(t, ast.Name) and re.search(r"BACKOFF|ATTEMPT|RETRY", t.id):
                    try:
                        v = ast.literal_eval(value)
                    except ValueError:
                        continue
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        found[t.id] = float(v)
    return found


def _pick(consts: dict[str, float], *patterns: str) -> float | None:
    hits = [v for k, v in consts.items() if all(re.search(p, k) for p in patterns)]
    return hits[0] if len(hits) == 1 else None


def test_tasks_queue_is_the_one_the_code_uses() -> None:
    q = tf.resource("google_cloud_tasks_queue", "recording_delivery")
    conf = tf.locals_()["recording_delivery_queue"]
    assert conf["name"] == QUEUES[0] == Settings.model_fields["recordings_queue"].default
    rl = tf.block(q, "rate_limits")
    assert (
        rl["max_dispatches_per_second"]
        == "${local.recording_delivery_queue.max_dispatches_per_second}"
    )
    rc = tf.block(q, "retry_config")
    assert rc["max_attempts"] == "${local.recording_delivery_queue.max_attempts}"
    assert rc["min_backoff"] == "${local.recording_delivery_queue.min_backoff_seconds}s"
    assert rc["max_backoff"] == "${local.recording_delivery_queue.max_backoff_seconds}s"
    assert conf["max_retry_duration_seconds"] < 7 * 86400


def test_tasks_retry_config_equals_the_code_constants() -> None:
    consts = _code_backoff_constants()
    if not consts:
        pytest.skip("functions/recordings defines no backoff constants yet")
    conf = tf.locals_()["recording_delivery_queue"]
    base = _pick(consts, "BACKOFF", "BASE|MIN|INITIAL")
    cap = _pick(consts, "BACKOFF", "MAX|CAP")
    attempts = _pick(consts, "ATTEMPTS")
    assert None not in (base, cap, attempts), (
        f"cannot tell base / max backoff / max attempts apart in {consts}: update this test"
    )
    assert conf["min_backoff_seconds"] == base
    assert conf["max_backoff_seconds"] == cap
    assert conf["max_attempts"] == attempts


# -- secrets -------------------------------------------------------------------------------

SECRET_LIKE = [
    r"AC[0-9a-f]{32}",  # Twilio account SID-shaped literal
    r"SK[0-9a-f]{32}",  # Twilio API key
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    r"AIza[0-9A-Za-z_\-]{35}",  # Google API key
    r"\b[0-9a-f]{32,}\b",  # hex token
    r"[A-Za-z0-9+/]{40,}={0,2}",  # base64 blob
]


def test_no_secret_values_anywhere() -> None:
    text = tf.all_text()
    for pat in SECRET_LIKE:
        assert not re.search(pat, text), f"secret-looking literal matching {pat}"
    for field in Settings.model_fields.values():
        if isinstance(field.default, str) and field.default.startswith("local-"):
            assert field.default not in text, field.alias
    assert "google_secret_manager_secret_version" not in text, (
        "secret values are added out of band, never through Terraform"
    )
    assert "secret_data" not in text
    for name in tf.variables():
        assert not re.search(r"token|password|secret$", name), (
            f"variable {name} would put a secret in the state"
        )
    for name, out in tf.outputs().items():
        assert "secret_data" not in json.dumps(out) and "sensitive" not in out, name
    secret = tf.resource("google_secret_manager_secret", "secret")
    assert secret["for_each"] == "${local.secrets}"
    assert "secret_data" not in json.dumps(MANIFEST)


def test_secrets_are_mounted_from_secret_manager() -> None:
    svc = tf.block(tf.resource("google_cloudfunctions2_function", "fn"), "service_config")
    sev = tf.dynamic(svc, "secret_environment_variables")
    assert sev["for_each"] == "${toset(each.value.secrets)}"
    content = sev["content"][0]
    assert content["key"] == "${local.secrets[secret_environment_variables.value]}"
    assert "google_secret_manager_secret.secret" in content["secret"]
    grant = tf.resource("google_secret_manager_secret_iam_member", "fn_secret")
    assert grant["role"] == "roles/secretmanager.secretAccessor"
    assert grant["for_each"] == "${local.fn_secrets}"
    # The same secrets, as a Cloud Run service mounts them.
    _, _, container = _run_service()
    envs = [d["env"] for d in container["dynamic"] if "env" in d]
    secret_env = next(e for e in envs if e["for_each"] == "${toset(each.value.secrets)}")
    content = secret_env["content"][0]
    assert content["name"] == "${local.secrets[env.value]}"
    ref = tf.block(tf.block(content, "value_source"), "secret_key_ref")
    assert "google_secret_manager_secret.secret" in ref["secret"]
    assert ref["version"] == "latest"


def test_least_privilege_roles() -> None:
    roles = {(t, n): b.get("role") for t, n, b in tf.all_resources() if "role" in b}
    for (t, n), role in roles.items():
        assert role not in (
            "roles/owner",
            "roles/editor",
            "roles/pubsub.admin",
            "roles/storage.admin",
            "roles/secretmanager.admin",
        ), (t, n)
    # Per-topic, per-bucket grants (not project-wide).
    assert (
        tf.resource("google_pubsub_topic_iam_member", "fn_publish")["role"]
        == "roles/pubsub.publisher"
    )
    assert (
        tf.resource("google_storage_bucket_iam_member", "fn_bucket")["role"]
        == "roles/storage.objectAdmin"
    )
    project_roles = {
        b["role"]
        for t, n, b in tf.all_resources()
        if t == "google_project_iam_member" and n != "build"
    }
    assert project_roles == {
        "roles/datastore.user",
        "roles/firebaseauth.viewer",  # identity.tf: revocation look-ups, portal functions
    }
    act = tf.resource("google_service_account_iam_member", "fn_act_as_invoker")
    assert act["role"] == "roles/iam.serviceAccountUser"
    assert act["service_account_id"] == "${google_service_account.tasks_invoker.name}"
    assert act["for_each"] == "${local.fn_enqueuer}"


# -- Firestore -----------------------------------------------------------------------------


def test_firestore_native_and_indexes_from_the_json_file() -> None:
    db = tf.resource("google_firestore_database", "default")
    assert db["type"] == "FIRESTORE_NATIVE" and db["name"] == "(default)"
    assert "jsondecode(file(local.indexes_file))" in tf.locals_()["indexes_doc"]
    assert (
        tf.resource("google_firestore_index", "composite")["for_each"]
        == "${local.composite_indexes}"
    )
    path = tf.INFRA / "firestore.indexes.json"
    if not path.exists():
        pytest.skip("infra/firestore.indexes.json is not written yet")
    doc = json.loads(path.read_text())
    keys = set()
    for ix in doc.get("indexes", []):
        assert ix["collectionGroup"] and len(ix["fields"]) >= 2, ix
        for f in ix["fields"]:
            assert ("order" in f) != ("arrayConfig" in f), f
        key = (
            ix["collectionGroup"],
            ix.get("queryScope", "COLLECTION"),
            tuple((f["fieldPath"], f.get("order", f.get("arrayConfig"))) for f in ix["fields"]),
        )
        assert key not in keys, f"duplicate index {key}"
        keys.add(key)


# -- source, outputs, hygiene --------------------------------------------------------------


def test_source_zip_takes_every_file_of_the_functions_tree() -> None:
    patterns = tf.locals_()["source_patterns"]
    exts = [p.removeprefix("**/") for p in patterns]
    missed = []
    for path in tf.FUNCTIONS.rglob("*"):
        rel = path.relative_to(tf.FUNCTIONS)
        if path.is_dir() or "__pycache__" in rel.parts or rel.parts[0].startswith("."):
            continue
        if path.suffix == ".pyc":
            continue
        if not any(fnmatch.fnmatch(path.name, e) for e in exts):
            missed.append(str(rel))
    assert not missed, f"infra/source.tf would not deploy these: {missed}"
    assert (tf.FUNCTIONS / "main.py").exists()
    assert 'file("${path.module}/../requirements.txt")' in tf.all_text()


def test_carrier_webhook_outputs_are_routed_by_their_function() -> None:
    hooks = tf.locals_()["carrier_webhooks"]
    assert set(hooks) == {
        "voice_webhook",
        "sms_webhook",
        "call_status_callback",
        "recording_status_callback",
    }
    for key, hook in hooks.items():
        f = HTTP[hook["function"]]
        assert f["public"], key
        pkg = tf.FUNCTIONS / f["module"].split(".")[0]
        src = "\n".join(p.read_text() for p in pkg.rglob("*.py"))
        assert f'"{hook["path"]}"' in src, f"{f['module']} does not route {hook['path']}"


def test_outputs_give_the_urls() -> None:
    outs = tf.outputs()
    assert {
        "function_urls",
        "twilio_webhooks",
        "twilio_voice_fallback",
        "sdk_base_urls",
        "apps_api_base_url",
        "pubsub_push_service_account",
    } <= set(outs)


def test_provider_at_the_current_major_and_a_gcs_state_backend() -> None:
    block = tf.parsed()["versions.tf"]["terraform"][0]
    google = block["required_providers"][0]["google"]
    assert google["source"] == "hashicorp/google"
    # 8.x is the current major (8.0.0: August 2026); nothing here uses what it removed.
    assert google["version"] == "~> 8.0"
    assert block["required_version"] == ">= 1.9"  # cross-variable validation
    assert block["backend"] == [{"gcs": {}}], "partial gcs backend: init -backend-config"
    readme = (tf.INFRA / "README.md").read_text()
    assert "-backend-config" in readme and "versioning" in readme


def test_no_absolute_machine_paths() -> None:
    for p in [*tf.tf_files(), tf.INFRA / "README.md"]:
        text = p.read_text() if p.exists() else ""
        assert not re.search(r"(?<![\w.])/(work|home|root|Users|tmp)/", text), p.name


def test_terraform_fmt() -> None:
    exe = shutil.which("terraform")
    if not exe:
        pytest.skip("terraform is not installed here (fmt needs no provider)")
    r = subprocess.run(
        [exe, "fmt", "-check", "-recursive", "-diff", str(tf.INFRA)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stdout + r.stderr


# -- checkov -------------------------------------------------------------------------------

CHECKOV = tf.ROOT / ".venv-checkov" / "bin" / "checkov"


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    import os

    if not CHECKOV.exists():
        if os.environ.get("CI"):
            pytest.fail("checkov is missing: scripts/setup.sh creates .venv-checkov")
        pytest.skip("checkov is missing: run scripts/setup.sh (creates .venv-checkov)")
    r = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(tf.INFRA),
            "--framework",
            "terraform",
            "-o",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tf.ROOT,
    )
    assert r.stdout.strip(), r.stderr[-2000:]
    data = json.loads(r.stdout)
    reports = data if isinstance(data, list) else [data]
    assert len(reports) == 1 and reports[0]["check_type"] == "terraform"
    return reports[0]


def test_checkov_has_no_failed_checks(checkov_report: dict[str, Any]) -> None:
    # Offline checkov reports no severities (they come from its platform), so we hold
    # every check, not only HIGH/CRITICAL: pass, or skip inline with a reason.
    summary = checkov_report["summary"]
    failed = [
        (c["check_id"], c["resource"], c.get("severity"), c["check_name"])
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert not failed, failed
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] >= 50 and summary["passed"] >= 25
    # checkov cannot evaluate the manifest (jsondecode(file())), so the for_each resources
    # are checked once each, unexpanded; the checks that matter most must have run.
    passed = {(c["check_id"], c["resource"]) for c in checkov_report["results"]["passed_checks"]}
    for must in [
        ("CKV_GCP_29", "google_storage_bucket.recordings"),
        ("CKV_GCP_29", "google_storage_bucket.media"),
        ("CKV_GCP_29", "google_storage_bucket.twiml"),
        ("CKV_GCP_114", "google_storage_bucket.recordings"),
        ("CKV_GCP_114", "google_storage_bucket.media"),
        ("CKV_GCP_102", "google_cloud_run_service_iam_member.push_invoker"),
        ("CKV_GCP_102", "google_cloud_run_service_iam_member.tasks_invoker"),
        ("CKV_GCP_28", "google_storage_bucket_iam_member.fn_bucket"),
    ]:
        assert must in passed, must


def test_checkov_skips_are_justified(checkov_report: dict[str, Any]) -> None:
    for c in checkov_report["results"]["skipped_checks"]:
        reason = (c.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason) >= 20, (c["check_id"], c["resource"], reason)


def test_a_function_that_keeps_its_cpu_is_deployed_with_cpu_always_allocated() -> None:
    """The manifest's `cpu_always_allocated` (deflection_http) is the one switch: such a
    function is a Cloud Run service with `cpu_idle = false` and a whole vCPU, every other
    function a Cloud Run function (docs/decisions/0005-deflection-cpu-always-allocated.md)."""
    keeps = {n for n, f in FUNCTIONS.items() if f.get("cpu_always_allocated")}
    assert keeps == {"deflection_http"}
    for name in keeps:
        assert FUNCTIONS[name]["cpu"] in {"1", "2", "4", "6", "8"}, name
    loc = tf.locals_()
    assert loc["run_functions"] == (
        "${{for k, v in local.functions : k => v if v.cpu_always_allocated}}"
    )
    assert loc["gcf_functions"] == (
        "${{for k, v in local.functions : k => v if !v.cpu_always_allocated}}"
    )
    _, _, container = _run_service()
    resources = tf.block(container, "resources")
    assert resources["cpu_idle"] is False
    assert "cpu_idle" not in json.dumps(tf.resource("google_cloudfunctions2_function", "fn"))
    # Its images go to a repository of the deployment's own that keeps only recent ones.
    repo = tf.resource("google_artifact_registry_repository", "functions")
    assert repo["format"] == "DOCKER"
    assert "google_artifact_registry_repository.functions" in loc["image_repository"]
    assert repo["cleanup_policies"]
    # Cloud Run's source deploy asks the build account for the Cloud Run Builder role.
    build_roles = tf.resource("google_project_iam_member", "build")["for_each"]
    assert 'length(local.run_functions) > 0 ? ["roles/run.builder"] : []' in build_roles

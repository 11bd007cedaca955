"""Localized whisper and countdown wording, per base language (en, ko, es, ...).

The seed's own wording: whisper "{call type} from {queue name}" (Korean
"{대기열 이름}의 {통화 유형}"), countdown "This is your next call. Starting in 3, 2, 1"
(Korean "다음 통화입니다. 3,2,1초 후에 시작됩니다."). An unknown language falls back to the
center's default language, then English.
"""

from __future__ import annotations

from notifications.call_type import CallType

CALL_TYPES: dict[str, dict[CallType, str]] = {
    "en": {
        "inbound_call": "Incoming call",
        "scheduled_callback": "Scheduled callback",
        "mobile_sdk_call": "Mobile app call",
        "transfer": "Transferred call",
    },
    "ko": {
        "inbound_call": "수신 전화",
        "scheduled_callback": "예약된 콜백",
        "mobile_sdk_call": "모바일 앱 통화",
        "transfer": "전환된 통화",
    },
    "es": {
        "inbound_call": "Llamada entrante",
        "scheduled_callback": "Devolución de llamada programada",
        "mobile_sdk_call": "Llamada desde la app móvil",
        "transfer": "Llamada transferida",
    },
    "fr": {
        "inbound_call": "Appel entrant",
        "scheduled_callback": "Rappel planifié",
        "mobile_sdk_call": "Appel depuis l'application mobile",
        "transfer": "Appel transféré",
    },
    "de": {
        "inbound_call": "Eingehender Anruf",
        "scheduled_callback": "Geplanter Rückruf",
        "mobile_sdk_call": "Anruf aus der mobilen App",
        "transfer": "Weitergeleiteter Anruf",
    },
    "pt": {
        "inbound_call": "Chamada recebida",
        "scheduled_callback": "Retorno agendado",
        "mobile_sdk_call": "Chamada do aplicativo móvel",
        "transfer": "Chamada transferida",
    },
}

# "{call type} from {queue name}" in each language's word order.
WHISPER = {
    "en": "{call_type} from {queue}",
    "ko": "{queue}의 {call_type}",
    "es": "{call_type} de {queue}",
    "fr": "{call_type} de {queue}",
    "de": "{call_type} von {queue}",
    "pt": "{call_type} de {queue}",
}

# {n} is the count itself ("3, 2, 1"); Korean writes it as the seed does, "3,2,1".
COUNTDOWN = {
    "en": "This is your next call. Starting in {n}",
    "ko": "다음 통화입니다. {n}초 후에 시작됩니다.",
    "es": "Esta es su próxima llamada. Comienza en {n}",
    "fr": "Voici votre prochain appel. Début dans {n}",
    "de": "Das ist Ihr nächster Anruf. Beginn in {n}",
    "pt": "Esta é sua próxima chamada. Começa em {n}",
}
_COUNT_SEPARATOR = {"ko": ","}


def base(language: str | None, fallback: str | None = None) -> str:
    """The table key for a language code: ko-KR -> ko; unknown -> fallback's, then en."""
    for code in (language, fallback):
        key = (code or "").split("-")[0].split("_")[0].lower()
        if key in COUNTDOWN:
            return key
    return "en"


def call_type_label(kind: CallType, language: str, fallback: str | None = None) -> str:
    return CALL_TYPES[base(language, fallback)][kind]


def whisper_text(
    kind: CallType,
    queue_name: str,
    language: str,
    fallback: str | None = None,
    inbound_label: str | None = None,
) -> str:
    """`inbound_label` is the language's configured `whisper_text`, which names the plain
    inbound call (the other call types keep their own words)."""
    key = base(language, fallback)
    label = inbound_label if (kind == "inbound_call" and inbound_label) else CALL_TYPES[key][kind]
    return WHISPER[key].format(call_type=label, queue=queue_name)


def countdown_text(language: str, seconds: int, fallback: str | None = None) -> str:
    key = base(language, fallback)
    sep = _COUNT_SEPARATOR.get(key, ", ")
    return COUNTDOWN[key].format(n=sep.join(str(i) for i in range(seconds, 0, -1)))

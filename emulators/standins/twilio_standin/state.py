"""The Twilio stand-in's state: calls, conferences, recordings, messages, and the rules
that move them (status changes, conference membership, recording completion, callbacks).

One instance per app (`state()` inside a request); every change happens under `lock`.
Rendering needs a request context (media URLs name the server the client reached).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, jsonify, request

from emulators.standins.common import Standin
from emulators.standins.twilio_standin.callbacks import CallbackDispatcher
from emulators.standins.twilio_standin.media import Recording
from emulators.standins.twilio_standin.models import Call, Conference, Participant
from emulators.standins.twilio_standin.wire import (
    API_VERSION,
    CALL_EVENT_OF_STATUS,
    FINAL_CALL_STATUSES,
    as_bool,
    new_sid,
    rfc2822,
    strip_json,
    twilio_error,
)

EXTENSION = "twilio_standin"


def state() -> TwilioState:
    """The state of the app serving the current request."""
    return current_app.extensions[EXTENSION]


class TwilioState:
    def __init__(
        self,
        st: Standin,
        account_sid: str,
        auth_token: str,
        api_keys: dict[str, str],
        recording_bytes_per_second: int,
        dispatcher: CallbackDispatcher,
    ) -> None:
        self.st = st
        self.lock = st.lock
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.api_keys = api_keys
        self.recording_bytes_per_second = recording_bytes_per_second
        self.dispatcher = dispatcher
        self.calls: dict[str, Call] = {}
        self.conferences: dict[str, Conference] = {}
        self.recordings: dict[str, Recording] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.deletions: list[dict[str, Any]] = []
        # A slow carrier link: recording media is served at most this fast (None: no limit).
        self.media_rate: float | None = None

    def reset(self) -> None:
        self.media_rate = None
        self.calls.clear()
        self.conferences.clear()
        self.recordings.clear()
        self.messages.clear()
        self.deletions.clear()
        self.dispatcher.clear_log()

    # ------------------------------------------------------------------ wire helpers

    def now(self) -> datetime:
        return self.st.clock.now()

    def acct_uri(self, rest: str) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/{rest}"

    def authorized(self, username: str, password: str) -> bool:
        return (username == self.account_sid and password == self.auth_token) or (
            username in self.api_keys and self.api_keys[username] == password
        )

    # ------------------------------------------------------------------ rendering

    def call_json(self, c: Call) -> dict[str, Any]:
        duration = None
        if c.start_time and c.end_time:
            duration = str(int((c.end_time - c.start_time).total_seconds()))
        elif c.status in FINAL_CALL_STATUSES:
            duration = "0"
        uri = self.acct_uri(f"Calls/{c.sid}.json")
        return {
            "sid": c.sid,
            "account_sid": c.account_sid,
            "parent_call_sid": c.parent_call_sid,
            "to": c.to,
            "to_formatted": c.to,
            "from": c.from_,
            "from_formatted": c.from_,
            "phone_number_sid": None,
            "status": c.status,
            "start_time": rfc2822(c.start_time),
            "end_time": rfc2822(c.end_time),
            "duration": duration,
            "price": None,
            "price_unit": "USD",
            "direction": c.direction,
            "answered_by": None,
            "api_version": API_VERSION,
            "forwarded_from": None,
            "group_sid": None,
            "caller_name": None,
            "queue_time": "0",
            "trunk_sid": None,
            "date_created": rfc2822(c.date_created),
            "date_updated": rfc2822(c.date_updated or c.date_created),
            "uri": uri,
            "subresource_uris": {
                "recordings": self.acct_uri(f"Calls/{c.sid}/Recordings.json"),
                "notifications": self.acct_uri(f"Calls/{c.sid}/Notifications.json"),
                "events": self.acct_uri(f"Calls/{c.sid}/Events.json"),
            },
        }

    def conference_json(self, c: Conference) -> dict[str, Any]:
        return {
            "sid": c.sid,
            "account_sid": c.account_sid,
            "friendly_name": c.friendly_name,
            "status": c.status,
            "region": "us1",
            "api_version": API_VERSION,
            "date_created": rfc2822(c.date_created),
            "date_updated": rfc2822(c.date_updated),
            "reason_conference_ended": c.reason_conference_ended,
            "call_sid_ending_conference": c.call_sid_ending_conference,
            "uri": self.acct_uri(f"Conferences/{c.sid}.json"),
            "subresource_uris": {
                "participants": self.acct_uri(f"Conferences/{c.sid}/Participants.json"),
                "recordings": self.acct_uri(f"Conferences/{c.sid}/Recordings.json"),
            },
        }

    def participant_json(self, p: Participant, status: str | None = None) -> dict[str, Any]:
        return {
            "account_sid": p.account_sid,
            "call_sid": p.call_sid,
            "label": p.label,
            "call_sid_to_coach": p.call_sid_to_coach,
            "coaching": p.coaching,
            "conference_sid": p.conference_sid,
            "date_created": rfc2822(p.date_created),
            "date_updated": rfc2822(p.date_updated),
            "end_conference_on_exit": p.end_conference_on_exit,
            "muted": p.muted,
            "hold": p.hold,
            "start_conference_on_enter": p.start_conference_on_enter,
            "status": status or p.status,
            "queue_time": None,
            "uri": self.acct_uri(f"Conferences/{p.conference_sid}/Participants/{p.call_sid}.json"),
        }

    def participant_record(self, p: Participant) -> dict[str, Any]:
        """Control view: everything, including the Beep each participant was created with."""
        out = self.participant_json(p)
        out.update(
            beep=p.beep,
            early_media=p.early_media,
            removed=p.removed,
            params=p.params,
            updates=p.updates,
        )
        return out

    def recording_url(self, r: Recording) -> str:
        return f"{request.url_root.rstrip('/')}{self.acct_uri(f'Recordings/{r.sid}')}"

    def recording_json(self, r: Recording) -> dict[str, Any]:
        done = r.completed
        return {
            "sid": r.sid,
            "account_sid": r.account_sid,
            "api_version": API_VERSION,
            "call_sid": r.call_sid,
            "conference_sid": r.conference_sid,
            "date_created": rfc2822(r.date_created),
            "date_updated": rfc2822(r.date_updated or r.date_created),
            "start_time": rfc2822(r.date_created),
            "duration": str(r.present_seconds) if done else "-1",
            "price": None,
            "price_unit": "USD",
            "status": r.status,
            "channels": r.channels,
            "source": r.source,
            "error_code": None,
            "track": "both",
            "encryption_details": None,
            "uri": self.acct_uri(f"Recordings/{r.sid}.json"),
            "media_url": self.recording_url(r),
            "subresource_uris": {
                "add_on_results": self.acct_uri(f"Recordings/{r.sid}/AddOnResults.json"),
                "transcriptions": self.acct_uri(f"Recordings/{r.sid}/Transcriptions.json"),
            },
        }

    def control_recording_json(self, r: Recording) -> dict[str, Any]:
        item = self.recording_json(r)
        item.update(
            bytes_per_second=r.bytes_per_second,
            media_size=r.media_size,
            clock_seconds=r.clock_seconds,
            runs=r.runs,
            deleted=r.deleted,
            pause_behavior=r.pause_behavior,
        )
        return item

    def page(self, key: str, items: list[dict[str, Any]], path: str) -> Response:
        """Twilio's 2010 paging envelope."""
        try:
            size = max(1, min(1000, int(request.args.get("PageSize", 50))))
            number = max(0, int(request.args.get("Page", 0)))
        except ValueError:
            return bad_param("Invalid paging parameter")
        start = number * size
        chunk = items[start : start + size]
        filters = {
            k: v for k, v in request.args.items() if k not in ("Page", "PageSize", "PageToken")
        }

        def uri_for(n: int) -> str:
            q = urlencode({**filters, "PageSize": size, "Page": n})
            return f"{self.acct_uri(path)}?{q}"

        has_next = start + size < len(items)
        return jsonify(
            {
                key: chunk,
                "first_page_uri": uri_for(0),
                "next_page_uri": uri_for(number + 1) if has_next else None,
                "previous_page_uri": uri_for(number - 1) if number > 0 else None,
                "page": number,
                "page_size": size,
                "start": start,
                "end": start + max(len(chunk) - 1, 0),
                "uri": uri_for(number),
            }
        )

    # ------------------------------------------------------------------ state changes

    def fire_call_callback(self, c: Call, status: str) -> None:
        if not c.status_callback:
            return
        event = "completed" if status in FINAL_CALL_STATUSES else CALL_EVENT_OF_STATUS.get(status)
        if event is None:
            return
        if event != "completed" and event not in c.status_callback_events:
            return
        params: dict[str, str] = {
            "AccountSid": c.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": c.sid,
            "CallStatus": status,
            "Called": c.to,
            "Caller": c.from_,
            "Direction": c.direction,
            "From": c.from_,
            "To": c.to,
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(c.sequence),
            "Timestamp": rfc2822(self.now()) or "",
        }
        c.sequence += 1
        if c.parent_call_sid:
            params["ParentCallSid"] = c.parent_call_sid
        if status in FINAL_CALL_STATUSES:
            duration = 0
            if c.start_time and c.end_time:
                duration = int((c.end_time - c.start_time).total_seconds())
            params["CallDuration"] = str(duration)
            params["Duration"] = str((duration + 59) // 60)
        self.dispatcher.send(
            c.status_callback, params, c.status_callback_method, kind="call-status"
        )

    def set_call_status(self, c: Call, status: str, reason: str = "api") -> None:
        if c.status == status:
            return
        if c.status in FINAL_CALL_STATUSES:
            return
        t = self.now()
        c.status = status
        c.date_updated = t
        c.history.append({"at": rfc2822(t), "status": status, "reason": reason})
        if status == "in-progress" and c.start_time is None:
            c.start_time = t
        if status in FINAL_CALL_STATUSES:
            c.end_time = t
            if c.start_time is None:
                c.start_time = t
            for r in list(self.recordings.values()):
                if r.call_sid == c.sid and r.status in ("in-progress", "paused"):
                    self.complete_recording(r)
            if c.conference_sid and c.conference_sid in self.conferences:
                conf = self.conferences[c.conference_sid]
                if c.sid in conf.participants:
                    self.leave_conference(conf, conf.participants[c.sid], kicked=False)
        self.fire_call_callback(c, status)

    def leave_conference(self, conf: Conference, p: Participant, kicked: bool) -> None:
        """Remove a participant; end its call if kicked; end the conference if needed."""
        if p.removed:
            return
        p.removed = True
        p.status = "complete"
        p.date_updated = self.now()
        conf.participants.pop(p.call_sid, None)
        call = self.calls.get(p.call_sid)
        if kicked and call is not None:
            self.set_call_status(call, "completed", reason="participant-removed")
        if conf.status == "completed":
            return
        if p.end_conference_on_exit:
            self.end_conference(conf, "participant-with-end-conference-on-exit-left", p.call_sid)
        elif not conf.participants:
            reason = "last-participant-kicked" if kicked else "last-participant-left"
            self.end_conference(conf, reason, p.call_sid)

    def end_conference(self, conf: Conference, reason: str, by_call: str | None) -> None:
        if conf.status == "completed":
            return
        conf.status = "completed"
        conf.reason_conference_ended = reason
        conf.call_sid_ending_conference = by_call
        conf.date_updated = self.now()
        for other in list(conf.participants.values()):
            self.leave_conference(conf, other, kicked=True)

    def get_or_create_conference(self, name: str, create: bool) -> Conference | None:
        conf = self.conferences.get(name)
        if conf is None:
            conf = next(
                (
                    c
                    for c in self.conferences.values()
                    if c.friendly_name == name and c.status != "completed"
                ),
                None,
            )
        if conf is None and create:
            t = self.now()
            sid = name if name.startswith("CF") and len(name) == 34 else new_sid("CF")
            conf = Conference(sid, self.account_sid, name, "in-progress", t, t)
            self.conferences[sid] = conf
        return conf

    def add_participant(
        self, conf: Conference, call: Call, form: dict[str, str], status: str
    ) -> Participant:
        t = self.now()
        p = Participant(
            call_sid=call.sid,
            conference_sid=conf.sid,
            account_sid=self.account_sid,
            label=form.get("Label") or None,
            muted=as_bool(form.get("Muted")),
            hold=as_bool(form.get("Hold")),
            coaching=as_bool(form.get("Coaching"), default=bool(form.get("CallSidToCoach"))),
            call_sid_to_coach=form.get("CallSidToCoach") or None,
            start_conference_on_enter=as_bool(form.get("StartConferenceOnEnter"), True),
            end_conference_on_exit=as_bool(form.get("EndConferenceOnExit")),
            beep=form.get("Beep", "true") or "true",
            early_media=as_bool(form.get("EarlyMedia"), True),
            status=status,
            date_created=t,
            date_updated=t,
            params=dict(form),
        )
        conf.participants[call.sid] = p
        conf.history.append(p)
        conf.status = "in-progress"
        conf.date_updated = t
        call.conference_sid = conf.sid
        return p

    def complete_recording(self, r: Recording) -> None:
        if r.status == "completed":
            return
        r.status = "completed"
        r.date_updated = self.now()
        if r.status_callback and "completed" in r.status_callback_events:
            params = {
                "AccountSid": r.account_sid,
                "CallSid": r.call_sid,
                "RecordingSid": r.sid,
                "RecordingUrl": self.recording_url(r),
                "RecordingStatus": "completed",
                "RecordingDuration": str(r.present_seconds),
                "RecordingChannels": str(r.channels),
                "RecordingStartTime": rfc2822(r.date_created) or "",
                "RecordingSource": r.source,
                "RecordingTrack": "both",
                "ErrorCode": "0",
            }
            if r.conference_sid:
                params["ConferenceSid"] = r.conference_sid
            self.dispatcher.send(
                r.status_callback, params, r.status_callback_method, "recording-status"
            )

    def new_call(
        self, form: dict[str, str], status: str, direction: str, events: set[str] | None = None
    ) -> Call:
        t = self.now()
        c = Call(
            sid=form.get("Sid") or new_sid("CA"),
            account_sid=self.account_sid,
            to=form.get("To", ""),
            from_=form.get("From", ""),
            status=status,
            direction=direction,
            date_created=t,
            date_updated=t,
            url=form.get("Url") or None,
            twiml=form.get("Twiml") or None,
            status_callback=form.get("StatusCallback") or None,
            status_callback_method=(form.get("StatusCallbackMethod") or "POST").upper(),
            status_callback_events=set(events or ()),
        )
        if status == "in-progress":
            c.start_time = t
        c.history.append({"at": rfc2822(t), "status": status, "reason": "created"})
        self.calls[c.sid] = c
        return c

    def find_participant(self, conf: Conference, key: str) -> Participant | None:
        key = strip_json(key)
        if key in conf.participants:
            return conf.participants[key]
        return next((p for p in conf.participants.values() if p.label == key), None)

    def find_recording(self, sid: str) -> Recording | None:
        r = self.recordings.get(sid)
        return None if r is None or r.deleted else r

    def start_recording(self, call: Call, form: dict[str, str], events: list[str]) -> Recording:
        r = Recording(
            sid=new_sid("RE"),
            account_sid=self.account_sid,
            call_sid=call.sid,
            bytes_per_second=self.recording_bytes_per_second,
            date_created=self.now(),
            conference_sid=call.conference_sid,
            channels=int(form.get("RecordingChannels") == "dual") + 1,
            status_callback=form.get("RecordingStatusCallback") or None,
            status_callback_method=(form.get("RecordingStatusCallbackMethod") or "POST").upper(),
            status_callback_events=set(events) if events else {"completed"},
        )
        self.recordings[r.sid] = r
        return r

    def resolve_call_recording(self, call_sid: str, name: str) -> Recording | None:
        sid = strip_json(name)
        if sid == "Twilio.CURRENT":
            active = [
                r
                for r in self.recordings.values()
                if r.call_sid == call_sid and r.status in ("in-progress", "paused")
            ]
            return active[-1] if active else None
        r = self.find_recording(sid)
        return r if r is not None and r.call_sid == call_sid else None

    def delete_recording_now(self, r: Recording) -> Response:
        r.deleted = True
        self.deletions.append(
            {"type": "recording", "sid": r.sid, "call_sid": r.call_sid, "at": rfc2822(self.now())}
        )
        return Response(status=204)


def not_found() -> Response:
    return twilio_error(404, 20404, f"The requested resource {request.path} was not found")


def bad_param(message: str, code: int = 20001) -> Response:
    return twilio_error(400, code, message)

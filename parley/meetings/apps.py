from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Mediation sessions: scheduling, polls, calendars, reminders and attendance (R10).
    Named `meetings` because `sessions` is Django's own app."""

    name = "parley.meetings"
    label = "meetings"

"""Agent messages and notifications: whisper, countdown, tones, frequency, SMS."""

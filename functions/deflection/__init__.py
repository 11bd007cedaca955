"""After-hours deflection: IVR, SDK, chat and SMS decisions, transfer targets, voicemail."""

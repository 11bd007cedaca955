"""After-hours decisions, pure over (config view, queue, channel, language, instant).

The deflection capability renders them (TwiML, JSON) and the settings preview compares
them between two configs, so both see exactly the same rules.
"""

"""Where to send whom for what: needs, third-party places, the orientation answer and the printed slip."""

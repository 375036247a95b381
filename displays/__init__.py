"""The Raspberry Pi display agent: keeps a lobby screen's content through outages, power cuts and browser crashes."""

AGENT_VERSION = "0.2.0"

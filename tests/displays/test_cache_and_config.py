"""The agent's cache and settings: atomic writes, safe image names, clear refusals."""

import argparse
import stat

import pytest

from displays import config, i18n
from displays.cache import Cache, asset_names


def test_the_cache_writes_atomically_keeps_the_token_private_and_refuses_odd_image_names(tmp_path):
    cache = Cache(tmp_path / "c")
    cache.save_token({"id": 1, "token": "qd_x"})
    assert stat.S_IMODE(cache.token_file.stat().st_mode) == 0o600
    cache.save_snapshot({"version": 3, "sessions": []}, '"3-abc"')
    assert cache.load_snapshot()["etag"] == '"3-abc"'
    assert not list(cache.folder.glob(".*.tmp"))  # no temporary file left behind
    snapshot = {
        "announcements": [
            {"image": "/screens/assets/ab12.png"},
            {"image": "/screens/assets/../token.json"},
            {"image": "https://elsewhere.example/x.png"},
            {"image": None},
        ]
    }
    assert asset_names(snapshot) == ["ab12.png"]
    assert cache.asset_path("../token.json") is None
    cache.save_asset("ab12.png", b"png")
    cache.save_asset("old.png", b"png")
    cache.prune_assets(["ab12.png"])
    assert [p.name for p in cache.assets.iterdir()] == ["ab12.png"]


def args(**kw):
    base = {"config": None, "server": "http://q.test", "cache": "/tmp/c", "port": None, "power": None, "browser": False}
    return argparse.Namespace(**{**base, **kw})


def test_settings_presets_and_refusals(tmp_path):
    assert config.load(args()).power == "auto"  # the agent finds what the screen supports
    assert config.load(args(power="cec")).power == "cec"
    with pytest.raises(config.ConfigError, match="kiosk"):  # the message lists the presets
        config.load(args(power="hdmi-magic"))
    with pytest.raises(config.ConfigError, match="between 1 and 65535"):
        config.load(args(port=70000))
    with pytest.raises(config.ConfigError, match="a number"):
        config.load(args(port="eighty"))
    with pytest.raises(config.ConfigError):
        config.load(args(server="quartier.example.org"))
    bad = tmp_path / "d.yaml"
    bad.write_text("server: http://q.test\nscreen_saver: true\n")
    with pytest.raises(config.ConfigError, match="screen_saver"):
        config.load(args(config=str(bad), server=None))
    bad.write_text("power: {on: wlr-randr --on}\n")
    with pytest.raises(config.ConfigError, match="list of strings"):
        config.load(args(config=str(bad)))
    good = tmp_path / "g.yaml"
    good.write_text('power: {on: [tv, "on"], off: [tv, "off"]}\n')
    loaded = config.load(args(config=str(good)))
    assert (loaded.power, loaded.power_on, loaded.power_off) == ("custom", ["tv", "on"], ["tv", "off"])


def test_the_agents_own_catalogue_reader_agrees_with_babel_on_every_entry():
    """The Pi has no babel: the agent reads its .po itself, and must read exactly what babel reads."""
    from babel.messages.pofile import read_po

    po = i18n.LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        expected = {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}
    assert len(expected) > 20 and i18n.catalogue("en") == expected
    # Escapes and continuation lines, fuzzy and obsolete entries.
    text = 'msgid "a"\nmsgstr "b\\"c"\n\n#, fuzzy\nmsgid "x"\nmsgstr "y"\n\n#~ msgid "o"\n#~ msgstr "p"\n'
    text += 'msgid ""\n"long "\n"one"\nmsgstr ""\n"longue "\n"ligne\\n"\n'
    assert i18n.parse_po(text) == {"a": 'b"c', "long one": "longue ligne\n"}

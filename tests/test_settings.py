"""Settings: a declared table, read from YAML, refused clearly when wrong."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from quartier import settings as settings_module
from quartier.settings import SettingsError, load

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "quartier.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file():
    s = load(None)
    assert (s.host, s.port, s.timezone, s.languages) == ("127.0.0.1", 8080, "Europe/Paris", ["fr", "en", "ar", "tr"])
    assert len(s.secret_key) >= 32


def test_values_are_read_and_database_is_relative_to_the_file(tmp_path):
    s = load(write(tmp_path, "port: 9000\ndatabase: data/q.db\nlanguages: [en, fr]\n"))
    assert s.port == 9000
    assert s.database_path == (tmp_path / "data" / "q.db").resolve()
    assert s.languages == ["en", "fr"]


def test_unknown_key_names_the_line_and_suggests(tmp_path):
    path = write(tmp_path, "host: 0.0.0.0\n\nprot: 9000\n")
    with pytest.raises(SettingsError) as e:
        load(path)
    assert f"{path}:3" in str(e.value)
    assert "prot" in str(e.value) and "port" in str(e.value)


@pytest.mark.parametrize(
    "text, line",
    [
        ("port: huit\n", 1),
        ("host: x\nport: true\n", 2),
        ("languages: fr\n", 1),
        ("timezone: Mars/Olympus\n", 1),
        ("base_url: quartier.example\n", 1),
        ("changes_retention_days: -1\n", 1),
        ("host: x\ndashboard_public: 1\n", 2),
        ("dashboard_public: peut-être\n", 1),
        ("service_baseline_week: 2025-W99\n", 1),
        ("service_goal_factor: 0\n", 1),
        ("host: x\ndatabase: mysql://quartier@db/quartier\n", 2),  # neither a file nor PostgreSQL
    ],
)
def test_wrong_types_and_values_name_the_line(tmp_path, text, line):
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as e:
        load(path)
    assert str(e.value).startswith(f"{path}:{line} :")


def test_boolean_settings_read_true_and_false(tmp_path):
    assert load(write(tmp_path, "dashboard_public: true\n")).dashboard_public is True
    assert load(write(tmp_path, "dashboard_public: false\n")).dashboard_public is False
    assert load(write(tmp_path, "port: 8081\n")).dashboard_public is False
    assert "\ndashboard_public: false" in settings_module.sample()


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "host: a\nport: [1, 2\nlog_level: INFO\n")
    with pytest.raises(SettingsError) as e:
        load(path)
    assert f"{path}:" in str(e.value) and "YAML" in str(e.value)


def test_every_setting_is_documented_in_the_readme_and_the_sample():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = settings_module.sample()
    for field in settings_module.table():
        assert field.metadata["help"], field.name
        assert f"`{field.name}`" in readme, f"README does not document {field.name}"
        assert f"\n{field.name}:" in sample


def test_sample_round_trips(tmp_path):
    s = load(write(tmp_path, settings_module.sample(port=8123)))
    assert s.port == 8123 and len(s.secret_key) >= 32


def run_cli(*args, cwd, stdin=None):
    env = {**os.environ, "LANG": "fr_FR.UTF-8"}
    return subprocess.run(
        [sys.executable, "-m", "quartier", *args], cwd=cwd, capture_output=True, text=True, input=stdin, env=env
    )


def test_init_writes_a_private_config_with_a_fresh_secret(tmp_path):
    result = run_cli("init", str(tmp_path / "site"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    config = tmp_path / "site" / "quartier.yaml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert (tmp_path / "site" / "quartier.db").exists()
    other = run_cli("init", str(tmp_path / "other"), cwd=tmp_path)
    assert other.returncode == 0
    assert load(config).secret_key != load(tmp_path / "other" / "quartier.yaml").secret_key
    again = run_cli("init", str(tmp_path / "site"), cwd=tmp_path)
    assert again.returncode == 2 and "existe déjà" in again.stderr


def test_a_bad_config_stops_start_up_with_one_line(tmp_path):
    write(tmp_path, "port: 80\nfoo: bar\n")
    result = run_cli("serve", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "quartier.yaml:2" in lines[0] and "foo" in lines[0]
    assert "Traceback" not in result.stderr

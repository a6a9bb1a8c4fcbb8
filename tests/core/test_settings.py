"""Configuration: defaults, then a TOML file, then ACCORD_* variables."""

from __future__ import annotations

import pytest

from accord.settings import ConfigError, load_settings, require_shared_secret_key


def test_defaults_put_a_sqlite_database_under_the_instance_directory(tmp_path):
    settings = load_settings({"ACCORD_HOME": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/accord.db"
    assert settings.get("server", "port") == 8000


def test_a_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_settings({"ACCORD_HOME": str(tmp_path)}).secret_key
    assert len(first) > 40
    assert load_settings({"ACCORD_HOME": str(tmp_path)}).secret_key == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_reading_the_settings_without_create_key_makes_no_folder_or_key(tmp_path):
    home = tmp_path / "mistyped"
    settings = load_settings({"ACCORD_HOME": str(home)}, create_key=False)
    assert settings.secret_key == ""
    assert not home.exists()


def test_a_toml_file_overrides_defaults_and_variables_override_the_file(tmp_path):
    (tmp_path / "accord.toml").write_text("[server]\nport = 9000\nworkers = 4\n")
    settings = load_settings(
        {"ACCORD_HOME": str(tmp_path), "ACCORD_DATABASE_URL": "postgresql://db/x"}
    )
    assert settings.get("server", "port") == 9000
    assert settings.get("server", "host") == "127.0.0.1"
    assert settings.database_url == "postgresql://db/x"


def test_an_unsupported_database_url_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="unsupported database URL"):
        load_settings({"ACCORD_HOME": str(tmp_path), "ACCORD_DATABASE_URL": "mysql://x"})


def test_a_missing_config_file_named_explicitly_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"ACCORD_HOME": str(tmp_path), "ACCORD_CONFIG": str(tmp_path / "nope.toml")})


def test_plugins_read_their_own_table(tmp_path):
    (tmp_path / "accord.toml").write_text("[plugins.contacts]\nmax_upload_mb = 5\n")
    assert load_settings({"ACCORD_HOME": str(tmp_path)}).plugin_config("contacts") == {
        "max_upload_mb": 5
    }


def test_the_public_url_is_made_from_the_server_settings(tmp_path):
    settings = load_settings({"ACCORD_HOME": str(tmp_path)})
    assert settings.public_url == "http://127.0.0.1:8000"


def test_the_public_url_can_be_set_for_a_proxy_or_domain(tmp_path):
    settings = load_settings(
        {"ACCORD_HOME": str(tmp_path), "ACCORD_PUBLIC_URL": "https://desk.example.org/"}
    )
    assert settings.public_url == "https://desk.example.org"


def test_a_secret_key_file_is_read_when_named(tmp_path):
    (tmp_path / "shared-key").write_text("the shared key\n")
    settings = load_settings(
        {"ACCORD_HOME": str(tmp_path), "ACCORD_SECRET_KEY_FILE": str(tmp_path / "shared-key")}
    )
    assert settings.secret_key == "the shared key"
    assert not (tmp_path / "secret_key").exists()


def test_a_missing_secret_key_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the secret key file"):
        load_settings({"ACCORD_HOME": str(tmp_path), "ACCORD_SECRET_KEY_FILE": str(tmp_path / "x")})


def test_postgresql_refuses_a_secret_key_generated_on_this_machine(tmp_path):
    settings = load_settings(
        {"ACCORD_HOME": str(tmp_path), "ACCORD_DATABASE_URL": "postgresql://db/x"}
    )
    with pytest.raises(ConfigError, match="set ACCORD_SECRET_KEY, or ACCORD_SECRET_KEY_FILE"):
        require_shared_secret_key(settings)


@pytest.mark.parametrize(
    "environ",
    [
        {"ACCORD_DATABASE_URL": "postgresql://db/x", "ACCORD_SECRET_KEY": "shared"},
        {"ACCORD_DATABASE_URL": "postgresql://db/x", "ACCORD_SECRET_KEY_FILE": "{home}/key"},
        {},  # SQLite: one machine, its generated key is enough
    ],
    ids=["postgresql-key-variable", "postgresql-key-file", "sqlite-generated"],
)
def test_a_shared_or_single_machine_secret_key_is_accepted(tmp_path, environ):
    (tmp_path / "key").write_text("shared")
    environ = {k: v.format(home=tmp_path) for k, v in environ.items()}
    require_shared_secret_key(load_settings({"ACCORD_HOME": str(tmp_path), **environ}))


def test_the_app_refuses_to_start_on_postgresql_without_a_shared_secret_key(tmp_path):
    from accord.app import create_app

    settings = load_settings(
        {"ACCORD_HOME": str(tmp_path), "ACCORD_DATABASE_URL": "postgresql://db/x"}
    )
    with pytest.raises(ConfigError, match="needs one secret key shared by every server"):
        create_app(settings, require_migrated=False)

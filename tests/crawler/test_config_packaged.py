"""The default config ships with the package (one file: the repo's config.yaml), is used
without a ./config.yaml, is what `nianbao init` writes, and start URLs are validated."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.config import PACKAGED_CONFIG, ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """A working directory outside the source tree, with no config.yaml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NIANBAO_CONFIG", raising=False)
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    return tmp_path


def test_packaged_config_is_the_repo_config():
    assert PACKAGED_CONFIG.read_bytes() == (REPO / "config.yaml").read_bytes()
    assert PACKAGED_CONFIG.parent == REPO / "crawler"


def test_without_a_config_file_the_packaged_default_is_used(elsewhere):
    cfg = load_config()
    assert [p.name for p in cfg.portals][:1] == ["sample-city"] and len(cfg.portals) == 5
    assert {p.name for p in cfg.active_portals("luoyang")} >= {"ly-city", "luoning"}
    assert cfg.database_url() == f"sqlite:///{elsewhere / 'archive' / 'nianbao.sqlite'}"
    assert cfg.blob_dir() == elsewhere / "archive" / "blobs"
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(elsewhere / "missing.yaml")   # named explicitly: an error, not the default


def test_profile_luoyang_is_known_outside_the_source_tree(elsewhere):
    res = CliRunner().invoke(main, ["--profile", "luoyang", "crawl", "--portal", "no-such-portal"])
    assert res.exit_code == 1
    assert "unknown portal 'no-such-portal'" in res.output and "unknown profile" not in res.output
    assert not (elsewhere / "archive").exists()   # refused before anything was opened


def test_init_writes_the_starter_config(elsewhere):
    res = CliRunner().invoke(main, ["init", "proj"])
    assert res.exit_code == 0, res.output
    written = elsewhere / "proj" / "config.yaml"
    assert written.read_bytes() == PACKAGED_CONFIG.read_bytes()
    text = written.read_text(encoding="utf-8")
    assert "# - name: luoning" in text and 'start_urls: ["https://www.luoning.gov.cn/"]' in text
    cfg = load_config(written)
    assert len(cfg.portals) == 5 and all(p.name.startswith("sample-") for p in cfg.portals)
    assert cfg.database_url() == f"sqlite:///{elsewhere / 'proj' / 'archive' / 'nianbao.sqlite'}"
    assert "wrote" in res.output and "nianbao demo" in res.output
    written.write_text("# mine\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["init", "proj"])
    assert res.exit_code == 1 and "already exists" in res.output
    assert written.read_text(encoding="utf-8") == "# mine\n"   # never overwritten silently
    assert CliRunner().invoke(main, ["init", "proj", "--force"]).exit_code == 0
    assert written.read_bytes() == PACKAGED_CONFIG.read_bytes()
    assert CliRunner().invoke(main, ["init"]).exit_code == 0      # default: the current directory
    assert (elsewhere / "config.yaml").exists()


@pytest.mark.parametrize("where,key", [
    ("portals:\n  - {name: p, start_urls: [URL], allowed_domains: [a.test]}\n", "portals.0.start_urls.0"),
    ("portals:\n  - {name: p, start_urls: ['http://a.test/', URL], allowed_domains: [a.test]}\n",
     "portals.0.start_urls.1"),
    ("profiles:\n  x:\n    - {name: p, start_urls: [URL], allowed_domains: [a.test]}\n", "profiles.x.0.start_urls.0"),
    ("portals:\n  - {name: p, start_urls: ['http://a.test/'], allowed_domains: [a.test], list_api: URL}\n",
     "portals.0.list_api"),
])
@pytest.mark.parametrize("url", ["ftp://a.test/", "www.luoning.gov.cn", "http:///xxgk/", "javascript:void(0)", "''"])
def test_start_urls_must_be_http_urls(tmp_path, where, key, url):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(where.replace("URL", url), encoding="utf-8")
    with pytest.raises(ConfigError) as ei:
        load_config(cfg)
    assert f"{key}: " in str(ei.value) and "is not an http(s) URL" in str(ei.value)


def test_valid_start_urls_pass(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("portals:\n  - {name: p, start_urls: ['https://www.luoning.gov.cn/xxgk/', 'HTTP://A.TEST:8080'],"
                   " allowed_domains: [luoning.gov.cn], list_api: 'https://a.test/api?page={page}'}\n",
                   encoding="utf-8")
    p = load_config(cfg).portals[0]
    assert p.start_urls == ["https://www.luoning.gov.cn/xxgk/", "HTTP://A.TEST:8080"]

"""The Wagtail peer in ``make bench`` (bench/peer/): the article it is given,
the scenarios that measure it beside the project's uncached article, the
headline figure, and a loud report when it cannot be measured."""

import pytest

from bench import config, report, scenarios, wagtail_peer
from tests.test_bench import RESULTS, result, seed


def test_the_peer_gets_the_measured_article_as_a_reader_sees_it(db):
    seed()
    targets = scenarios.find_targets()

    text = wagtail_peer.article_text()

    assert targets.article.rstrip("/").endswith(text["slug"])
    assert text["headline"] and text["dek"] and "<h2>" in text["body"]
    # The byline as the project's page prints it, without its links.
    assert text["byline"].startswith("by ")
    assert " – " in text["byline"] and "<a" not in text["byline"]


def build(mode: str, peer_path: str | None = "/news/x/"):
    targets = scenarios.Targets(
        article="/a/",
        viral="/v/",
        post_target_id=1,
        pages={"article": ("Article page", "/a/", "/v/"), "front": ("Front", "/", "")},
    )
    return scenarios.build(
        targets, uncached_mode=mode, cookie="sessionid=s", hot=10, peer_path=peer_path
    )


def test_uncached_rows_are_anonymous_readers_of_the_cache_off_server(db):
    plan = {s.name: s for s in build("anonymous")}

    assert plan["article-uncached"].server == "live"
    assert plan["article-uncached"].headers == {}
    assert plan["front-uncached"].server == "live"
    assert plan["article-cached"].server == "site"
    # The staff session keeps a row of its own, on the page-cache server.
    assert plan["article-staff"].headers == {"Cookie": "sessionid=s"}
    assert plan["article-staff"].server == "site"


def test_the_peer_is_measured_right_after_the_uncached_article(db):
    names = [s.name for s in build("anonymous")]

    assert names.index("peer") == names.index("article-uncached") + 1
    peer = next(s for s in build("anonymous") if s.name == "peer")
    assert (peer.server, peer.path, peer.headers) == ("peer", "/news/x/", {})


def test_without_a_peer_there_is_no_peer_row(db):
    assert "peer" not in [s.name for s in build("anonymous", peer_path=None)]


def test_the_staff_mode_sends_the_session_on_the_site_server(db):
    plan = {s.name: s for s in build("staff")}

    assert plan["article-uncached"].server == "site"
    assert plan["article-uncached"].headers == {"Cookie": "sessionid=s"}
    assert "article-staff" not in plan


def test_anonymous_is_the_default_uncached_mode(monkeypatch):
    monkeypatch.delenv("BENCH_UNCACHED", raising=False)
    assert config.from_env().uncached == "anonymous"
    monkeypatch.setenv("BENCH_UNCACHED", "private")
    with pytest.raises(SystemExit, match="BENCH_UNCACHED must be one of"):
        config.from_env()


WITH_PEER = [*RESULTS, result("peer", 125.0, kind="peer", variant="uncached")]


def test_the_headline_is_the_uncached_article_over_the_peer():
    line = report.headline(WITH_PEER, {"version": "Wagtail 8.0.1"})

    assert line.startswith("Article uncached over the Wagtail peer: 1.60 ×")
    assert "200 vs 125 req/s, Wagtail 8.0.1" in line


def test_the_peer_target_is_met_at_one_and_a_half_times():
    def verdict(peer_rps):
        results = [*RESULTS, result("peer", peer_rps)]
        checks = report.targets(results, vendor="sqlite", seed=None)
        found = [c for c in checks if c["target"].endswith("× Wagtail peer")]
        return found[0]["target"], found[0]["verdict"]

    assert verdict(125.0) == ("Article uncached ≥ 1.5 × Wagtail peer", "met")
    assert verdict(140.0)[1] == "missed"  # 1.43 ×


def test_a_peer_that_could_not_run_is_reported_not_skipped():
    checks = report.targets(
        RESULTS, vendor="sqlite", seed=None, peer_error="pip failed"
    )

    row = next(c for c in checks if c["target"].endswith("× Wagtail peer"))
    assert (row["verdict"], row["measured"]) == ("n/a", "peer not measured: pip failed")
    line = report.headline(RESULTS, {"error": "pip failed"})
    assert "not measured (pip failed)" in line
    assert "WAGTAIL PEER NOT MEASURED: pip failed" in wagtail_peer.loudly("pip failed")


def test_a_missing_environment_is_a_peer_error_that_names_the_fix(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(wagtail_peer, "STAMP", tmp_path / "no-such-stamp")
    monkeypatch.setattr(wagtail_peer, "FAILED", tmp_path / "no-such-file")

    with pytest.raises(wagtail_peer.PeerError, match="make bench-peer"):
        wagtail_peer.prepare(text={}, workers=2, port=1, tmp=tmp_path)

"""A file we cannot trust as a whole is refused with where and why, and
nothing at all is written."""

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Author, Section
from core.importers.wordpress import WxrError
from core.models import ImportedItem

from .conftest import WXR


def nothing_written():
    return not (
        Article.objects.exists()
        or Author.objects.exists()
        or Section.objects.exists()
        or ImportedItem.objects.exists()
    )


def test_a_file_that_is_not_well_formed_is_refused_with_its_line_and_column(
    run_import,
):
    with pytest.raises(WxrError) as refused:
        run_import("malformed.xml")
    assert (refused.value.line, refused.value.column) == (7, 45)
    assert refused.value.reason == "not well-formed XML: mismatched tag"
    assert nothing_written()


def test_a_plain_rss_feed_is_refused_as_not_wxr(run_import):
    with pytest.raises(WxrError) as refused:
        run_import("not_wxr.xml")
    assert "not a WXR file" in refused.value.reason
    assert nothing_written()


def test_an_atom_feed_is_refused_at_its_root_element(run_import):
    with pytest.raises(WxrError) as refused:
        run_import("atom.xml")
    assert refused.value.line == 2
    assert "not an RSS feed" in refused.value.reason


def test_a_bad_second_file_stops_the_import_before_the_good_first_one_is_written(
    run_import,
):
    with pytest.raises(WxrError):
        run_import("basic.xml", "malformed.xml")
    assert nothing_written()


def test_entity_declarations_are_refused(run_import, tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]>'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel/></rss>'
    )
    with pytest.raises(WxrError) as refused:
        run_import(bomb)
    assert "entities" in refused.value.reason


def test_the_command_says_where_the_file_is_broken_in_one_line(importer):
    with pytest.raises(CommandError) as refused:
        call_command("import_wordpress", str(WXR / "malformed.xml"), verbosity=0)
    assert str(refused.value) == (
        f"{WXR / 'malformed.xml'}, line 7, column 45: not well-formed XML: "
        "mismatched tag. Nothing was imported."
    )
    assert nothing_written()


def test_the_command_refuses_a_misspelt_status_map(importer):
    with pytest.raises(CommandError, match="--status-map"):
        call_command(
            "import_wordpress",
            str(WXR / "basic.xml"),
            status_map="private=secret",
            verbosity=0,
        )
    assert nothing_written()

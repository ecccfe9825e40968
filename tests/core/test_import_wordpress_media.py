"""Attachments: from a local folder or over HTTP, checked like an editor's
upload, stored once and used by every file of the export."""

from articles.models import Article
from core.importers.wordpress import MediaSource, media
from core.models import ImportedItem
from tests.core.conftest import png_bytes


def test_the_featured_image_is_the_lead_image_with_alt_caption_and_credit(
    run_import, uploads
):
    report = run_import("basic.xml", media=MediaSource(directory=uploads))
    article = Article.objects.get(slug="ferry-returns")
    assert article.lead_image.name.startswith("imports/wordpress/2020/01/ferry")
    assert article.lead_image_renditions
    assert article.lead_image_alt == "A white ferry leaving the pier"
    assert article.lead_image_caption == "The morning ferry at the north pier"
    assert article.lead_image_credit == "Ana Torres"
    assert report.counts["attachment"]["created"] == 1


def test_body_images_point_at_our_copy(run_import, uploads):
    run_import("basic.xml", media=MediaSource(directory=uploads))
    body = Article.objects.get(slug="ferry-returns").body
    stored = ImportedItem.objects.get(kind="attachment").data["stored"]
    assert f'src="/media/{stored}"' in body
    assert "old.example" not in body.split("<figcaption>")[0]


def test_a_second_file_reuses_the_first_files_attachments(run_import, uploads):
    run_import("basic.xml", media=MediaSource(directory=uploads))
    report = run_import("second.xml", media=MediaSource(directory=uploads))
    stored = ImportedItem.objects.get(kind="attachment").data["stored"]
    assert f'src="/media/{stored}"' in Article.objects.get(slug="ferry-one-year").body
    assert report.counts["attachment"]["created"] == 0


def test_without_media_the_pieces_come_in_and_the_files_are_listed(run_import):
    report = run_import("basic.xml")
    article = Article.objects.get(slug="ferry-returns")
    assert not article.lead_image
    assert "<img" not in article.body
    assert [
        problem["id"]
        for problem in report.problems
        if problem["kind"] == ("attachment")
    ] == ["20"]


def test_a_file_outside_the_media_folder_is_refused(run_import, uploads, wxr_copy):
    path = wxr_copy(
        "basic.xml",
        (
            "<wp:attachment_url><![CDATA[http://old.example/wp-content/uploads/",
            "<wp:attachment_url><![CDATA[http://old.example/wp-content/uploads/../../",
        ),
    )
    report = run_import(path, media=MediaSource(directory=uploads))
    assert report.counts["attachment"]["skipped"] == 1


def fetched(server, wxr_copy, run_import, **media):
    path = wxr_copy("http_media.xml", *[("BASE", server)])
    return run_import(
        path,
        media=MediaSource(
            fetch=True, timeout=0.5, retries=1, max_bytes=200_000, **media
        ),
    )


def reasons(report):
    return {
        problem["id"]: problem["reason"].split(": ", 1)[1]
        for problem in report.problems
        if problem["kind"] == "attachment"
    }


def test_fetched_media_is_stored_and_refusals_are_listed_with_why(
    media_server, wxr_copy, run_import
):
    report = fetched(media_server, wxr_copy, run_import)
    assert report.counts["attachment"]["created"] == 1
    found = reasons(report)
    assert found["51"] == "HTTP 404"
    assert found["52"].startswith("download failed")
    assert found["53"] == "larger than 200000 bytes"
    assert "not" in found["54"].lower() and "image" in found["54"].lower()
    article = Article.objects.get(slug="pier")
    assert article.lead_image
    assert article.body.count("<img") == 1


def test_refused_files_are_tried_again_on_the_next_run_and_still_not_created(
    media_server, wxr_copy, run_import
):
    fetched(media_server, wxr_copy, run_import)
    again = fetched(media_server, wxr_copy, run_import)
    assert again.counts["attachment"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "skipped": 4,
        "failed": 0,
    }


def test_a_download_from_a_private_address_is_refused_and_listed_with_why(
    media_server, wxr_copy, run_import, settings
):
    settings.IMPORT_MEDIA_ALLOW_PRIVATE = False  # as in production
    report = fetched(media_server, wxr_copy, run_import)
    assert report.counts["attachment"]["created"] == 0
    for reason in reasons(report).values():
        assert "127.0.0.1, a private or reserved address" in reason
    assert not Article.objects.get(slug="pier").lead_image


def test_a_redirect_is_followed_and_its_new_address_checked_again(
    media_server, monkeypatch
):
    checked = []
    real = media.public_addresses

    def recording(url, **kwargs):
        checked.append(url)
        return real(url, **kwargs)

    monkeypatch.setattr(media, "public_addresses", recording)
    data = MediaSource(fetch=True).read(f"{media_server}/moved/2023/04/ok.png")
    assert data == png_bytes()
    assert checked == [
        f"{media_server}/moved/2023/04/ok.png",
        f"{media_server}/wp-content/uploads/2023/04/ok.png",
    ]


def test_the_deploy_check_warns_when_private_media_downloads_are_allowed(settings):
    from core.importers.wordpress.checks import media_downloads_stay_outside

    settings.IMPORT_MEDIA_ALLOW_PRIVATE = False
    assert media_downloads_stay_outside() == []
    settings.IMPORT_MEDIA_ALLOW_PRIVATE = True
    [warning] = media_downloads_stay_outside()
    assert warning.id == "core.W002"
    assert "SSRF" in warning.msg

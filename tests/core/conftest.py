import io
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from core.importers.wordpress import ImportOptions, MediaSource, wordpress_import

WXR = Path(__file__).parent / "wxr"


def png_bytes(size=(64, 48), colour=(20, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def importer(db):
    from tests.factories import UserFactory

    return UserFactory(username="importer", is_superuser=True, is_staff=True)


@pytest.fixture
def run_import(importer):
    """Import fixture files by name (or paths) and return the report."""

    def run(*names, media=None, **options):
        paths = [name if isinstance(name, Path) else WXR / name for name in names]
        return wordpress_import(
            paths=paths,
            user=importer,
            options=ImportOptions(media=media or MediaSource(), **options),
        )

    return run


@pytest.fixture
def uploads(tmp_path):
    """A local copy of wp-content/uploads with the fixtures' one photo."""
    root = tmp_path / "uploads"
    (root / "2020" / "01").mkdir(parents=True)
    (root / "2020" / "01" / "ferry.png").write_bytes(png_bytes())
    return root


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/slow/"):
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()
            return
        if self.path.startswith("/moved/"):  # as a CDN or https would
            self.send_response(301)
            self.send_header("Location", "/wp-content/uploads/" + self.path[7:])
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture
def media_server(tmp_path, settings):
    """The old site's uploads over HTTP on 127.0.0.1: a good image, a slow
    answer, an oversized one, a text file named .png and a 404. Loopback is
    no public address: the setting lets the import reach it."""
    settings.IMPORT_MEDIA_ALLOW_PRIVATE = True
    root = tmp_path / "site"
    folder = root / "wp-content" / "uploads" / "2023" / "04"
    folder.mkdir(parents=True)
    (folder / "ok.png").write_bytes(png_bytes())
    (folder / "big.png").write_bytes(png_bytes() + b"\0" * 300_000)
    (folder / "notimage.png").write_text("<html>not an image</html>")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def wxr_copy(tmp_path):
    """A copy of a fixture with some text replaced (an edited export)."""

    def copy(name, *replacements):
        text = (WXR / name).read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return copy

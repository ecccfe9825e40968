"""
Embedded explainer videos: YouTube and Vimeo only.

Editors paste whatever link their browser shows; we keep the link and read the
provider and the video id out of it, so the page can show a poster and load the
provider's no-cookie player only when the reader asks for it.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtu.be",
    "www.youtube-nocookie.com",
    "youtube-nocookie.com",
}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^[0-9]{6,12}$")


@dataclass(frozen=True)
class Video:
    provider: str
    video_id: str

    @property
    def provider_name(self) -> str:
        return {"youtube": "YouTube", "vimeo": "Vimeo"}[self.provider]

    @property
    def watch_url(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"

    @property
    def embed_url(self) -> str:
        """The privacy-enhanced player, loaded only after the reader clicks."""
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?autoplay=1"
        return f"https://player.vimeo.com/video/{self.video_id}?dnt=1&autoplay=1"


def parse_video_url(url: str) -> Video:
    """Return the provider and id of a YouTube or Vimeo link, or raise."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"}:
        raise ValidationError(
            _("Enter a link that starts with https://."), code="video_scheme"
        )
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in YOUTUBE_HOSTS:
        candidate = ""
        if host == "youtu.be" and segments:
            candidate = segments[0]
        elif segments[:1] == ["watch"]:
            candidate = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in {"embed", "shorts", "live", "v"}:
            candidate = segments[1]
        if YOUTUBE_ID.match(candidate):
            return Video("youtube", candidate)
        raise ValidationError(
            _(
                "This YouTube link has no valid video id. Paste the link of one "
                "video, like https://www.youtube.com/watch?v=abcDEF12345."
            ),
            code="video_id",
        )
    if host in VIMEO_HOSTS:
        if host == "player.vimeo.com" and segments[:1] == ["video"]:
            segments = segments[1:]
        candidate = segments[0] if segments else ""
        if VIMEO_ID.match(candidate):
            return Video("vimeo", candidate)
        raise ValidationError(
            _(
                "This Vimeo link has no valid video id. Paste the link of one "
                "video, like https://vimeo.com/123456789."
            ),
            code="video_id",
        )
    raise ValidationError(
        _("Only YouTube and Vimeo videos can be embedded; “%(host)s” is neither."),
        code="video_provider",
        params={"host": host or url},
    )


def validate_video_url(url: str) -> None:
    if url:
        parse_video_url(url)

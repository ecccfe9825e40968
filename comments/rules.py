"""
The moderation policy: small named rules, run in order at posting time.

Each rule looks at a submission and returns a ``Decision`` (a status and the
reason, or a refusal with its HTTP status) or ``None`` to pass it on. The
first decision wins; the last rule always decides. A rule that cannot decide
for want of the cache (the rate limit while Redis is away) returns a
non-final hold instead: the later rules still run, so a ban or a disallowed
word still counts, and a comment that would otherwise be approved is held for
a moderator. Their numbers and word
lists come from the database (``ModerationSettings``, ``ModerationWord``,
``Ban``), so moderators tune them in the admin without a deploy; posts read
the settings and words through the shared cache (``comments.policy``).
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from caching.backend import failures

from . import ratelimit
from .history import History, commenter_history
from .models import Comment, ModerationSettings, ModerationWord
from .readers import address_block, short_digest
from .text import count_links, normalise_for_comparison

REFUSED = "refused"
DOUBLE_SUBMIT_SECONDS = 60


@dataclass(frozen=True)
class Submission:
    """What a reader sent, with what we know about where it came from."""

    article: object  # articles.models.Article
    name: str
    email: str
    body: str
    parent: Comment | None = None
    honeypot: str = ""
    ip: str | None = None

    def history(self, config: ModerationSettings) -> History:
        """What the database knows about this commenter: one query, asked by
        the first rule that needs it and kept for the others."""
        found = self.__dict__.get("_history")
        if found is None:
            found = commenter_history(
                article_id=self.article.pk,
                email=self.email,
                ip=self.ip,
                duplicate_hours=config.duplicate_window_hours,
                needed=config.trusted_after_approved,
            )
            # A frozen dataclass, but a memo is not part of its value.
            self.__dict__["_history"] = found
        return found

    def double_click_key(self) -> str:
        """The cache key that catches the same words from the same email
        under the same article twice within ``DOUBLE_SUBMIT_SECONDS``."""
        text = normalise_for_comparison(self.body)
        digest = short_digest(f"{self.email}\n{text}")
        # On the rate limits' shard: asked for in their cache call.
        return f"{ratelimit.PREFIX}:dup:{self.article.pk}:{digest}"


@dataclass(frozen=True)
class Decision:
    status: str  # a Comment.Status value, or REFUSED: nothing is stored
    rule: str
    reason: str
    http_status: int = 200
    retry_after: int = 0
    # False: "at least hold this", and let the later rules run (see moderate).
    final: bool = True

    @property
    def refused(self) -> bool:
        return self.status == REFUSED


def comments_open(article) -> bool:
    """Whether readers may still post under ``article``: the editor has not
    turned comments off, and ``NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS`` (0: never)
    have not passed since publication."""
    if not article.allow_comments:
        return False
    days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
    if days and article.publish_at:
        return timezone.now() < article.publish_at + timedelta(days=days)
    return True


class Rule:
    name = ""

    def check(self, sub: Submission, config: ModerationSettings) -> Decision | None:
        raise NotImplementedError

    def decide(self, status: str, reason: str, **extra) -> Decision:
        return Decision(status=status, rule=self.name, reason=reason, **extra)


class ClosedRule(Rule):
    name = "closed"

    def check(self, sub, config):
        if comments_open(sub.article):
            return None
        if not sub.article.allow_comments:
            reason = _("Comments are turned off for this article.")
        else:
            reason = ngettext(
                "Comments close %(days)d day after publication.",
                "Comments close %(days)d days after publication.",
                settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS,
            ) % {"days": settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS}
        return self.decide(REFUSED, reason, http_status=403)


class HoneypotRule(Rule):
    """A field people never see; software that fills in every field fills it."""

    name = "honeypot"

    def check(self, sub, config):
        if sub.honeypot.strip():
            return self.decide(
                Comment.Status.SPAM, _("The hidden field for robots was filled in.")
            )
        return None


class RateLimitRule(Rule):
    name = "rate-limit"

    def check(self, sub, config):
        limits = []
        for count, seconds in (
            (config.rate_short_count, config.rate_short_seconds),
            (config.rate_long_count, config.rate_long_seconds),
        ):
            if sub.ip:
                limits.append(
                    (
                        ratelimit.Limit("post-ip", count, seconds),
                        short_digest(address_block(sub.ip)),
                    )
                )
            limits.append(
                (ratelimit.Limit("post-email", count, seconds), short_digest(sub.email))
            )
        # The double-click claim (DuplicateRule) rides in the same cache call.
        claim = sub.double_click_key() if config.duplicate_window_hours else None
        verdict = ratelimit.check_all(
            limits, claims=[(claim, DOUBLE_SUBMIT_SECONDS)] if claim else []
        )
        # True or False: taken or not; None: the cache could not say.
        sub.__dict__["_double_click"] = verdict.claims.get(claim)
        if verdict.allowed:
            return None
        if verdict.undecided:
            # The cache is down. Refusing everyone would shut the comment box
            # for an infrastructure fault; approving everyone would open it
            # to a flood. A moderator decides instead.
            return self.decide(
                Comment.Status.PENDING,
                _("The rate limit could not be checked (cache unavailable)."),
                final=False,
            )
        limit = verdict.limit
        reason = ngettext(
            "More than %(count)d comment in %(seconds)d seconds.",
            "More than %(count)d comments in %(seconds)d seconds.",
            limit.count,
        ) % {"count": limit.count, "seconds": limit.seconds}
        return self.decide(
            REFUSED,
            reason,
            http_status=429,
            retry_after=verdict.retry_after,
        )


class DuplicateRule(Rule):
    """The same words from the same address under the same article, again.

    The database finds the earlier comment; a cache key taken with ``add``
    catches the double-click, where both copies arrive before either is
    stored.
    """

    name = "duplicate"

    def check(self, sub, config):
        if not config.duplicate_window_hours:
            return None
        text = normalise_for_comparison(sub.body)
        recent = sub.history(config).recent_bodies
        reason = _("The same comment was already posted here.")
        if any(normalise_for_comparison(body) == text for body in recent):
            return self.decide(REFUSED, reason, http_status=409)
        # Only the race needs the key; the database covers the whole window.
        # The rate limit took it (RateLimitRule, in its cache call); a rule
        # run alone takes it here. With the cache down the key cannot be
        # taken: the database check above still holds, and such comments are
        # held (RateLimitRule).
        if "_double_click" in sub.__dict__:
            claimed = sub.__dict__["_double_click"]
        else:
            failed_before = failures(cache)
            claimed = cache.add(sub.double_click_key(), 1, DOUBLE_SUBMIT_SECONDS)
            if not claimed and failures(cache) != failed_before:
                claimed = None
        if claimed is False:
            return self.decide(REFUSED, reason, http_status=409)
        return None


class BanRule(Rule):
    name = "ban"

    def check(self, sub, config):
        bans = sub.history(config).bans()
        if not bans:
            return None
        return self.decide(Comment.Status.REJECTED, bans[0].description)


def _word_core(word: str) -> str:
    """The word's pattern without its bounds: a phrase's spaces match any run
    of spaces, and a trailing ``*`` any ending."""
    ending = r"\w*" if word.endswith("*") else ""
    return re.escape(word.rstrip("*")).replace(r"\ ", r"\s+") + ending


@functools.lru_cache(maxsize=4096)
def _word_pattern(word: str) -> re.Pattern:
    """A pure function of the word, so compiled once per process."""
    return re.compile(r"(?<!\w)" + _word_core(word) + r"(?!\w)")


@functools.lru_cache(maxsize=64)
def _any_word(words: tuple[str, ...]) -> re.Pattern:
    """One pattern that matches where any of ``words`` matches, so a comment
    with none of them (nearly all) is one scan of the text, not one a word;
    the start's bound is checked once a place, not once a word there. A pure
    function of the list: a list changed in the admin is another key."""
    alternatives = "|".join(_word_core(word) + r"(?!\w)" for word in words)
    return re.compile(r"(?<!\w)(?:" + alternatives + ")")


def find_words(text: str, words: Iterable[str]) -> list[str]:
    """The listed words and phrases found whole in ``text``, ignoring case."""
    words = tuple(words)
    folded = text.casefold()
    if not words or _any_word(words).search(folded) is None:
        return []
    # Which ones, word by word: the combined pattern finds one of those that
    # overlap ("buy", "buy now") and stops.
    return [word for word in words if _word_pattern(word).search(folded)]


class WordListRule(Rule):
    kind = ""
    status = ""
    message = ""

    def check(self, sub, config):
        words = config.word_lists().get(self.kind, ())
        if not words:
            return None
        found = find_words(f"{sub.name}\n{sub.body}", words)
        if not found:
            return None
        return self.decide(
            self.status, str(self.message) % {"words": ", ".join(sorted(found))}
        )


class DisallowedWordsRule(WordListRule):
    name = "disallowed-words"
    kind = ModerationWord.Kind.DISALLOWED
    status = Comment.Status.SPAM
    message = gettext_lazy("Disallowed words: %(words)s.")


class SuspectWordsRule(WordListRule):
    name = "suspect-words"
    kind = ModerationWord.Kind.SUSPECT
    status = Comment.Status.PENDING
    message = gettext_lazy("Suspect words: %(words)s.")


class LinkRule(Rule):
    name = "links"

    def check(self, sub, config):
        links = count_links(sub.body)
        if links <= config.max_links:
            return None
        return self.decide(
            Comment.Status.PENDING,
            ngettext(
                "%(links)d link (more than %(max)d allowed).",
                "%(links)d links (more than %(max)d allowed).",
                links,
            )
            % {"links": links, "max": config.max_links},
        )


class FirstTimeRule(Rule):
    name = "first-time"

    def check(self, sub, config):
        needed = config.trusted_after_approved
        if not needed:
            return None
        approved = sub.history(config).approved
        if approved >= needed:
            return None
        return self.decide(
            Comment.Status.PENDING,
            ngettext(
                "%(approved)d approved comment from this email so far; "
                "%(needed)d needed.",
                "%(approved)d approved comments from this email so far; "
                "%(needed)d needed.",
                approved,
            )
            % {"approved": approved, "needed": needed},
        )


class DefaultRule(Rule):
    name = "default"

    def check(self, sub, config):
        if config.premoderate_all:
            return self.decide(
                Comment.Status.PENDING, _("Every comment is held for review.")
            )
        return self.decide(Comment.Status.APPROVED, _("Passed every rule."))


def policy() -> list[Rule]:
    """The rules in the order they run. New instances: rules keep no state."""
    return [
        ClosedRule(),
        HoneypotRule(),
        RateLimitRule(),
        DuplicateRule(),
        BanRule(),
        DisallowedWordsRule(),
        SuspectWordsRule(),
        LinkRule(),
        FirstTimeRule(),
        DefaultRule(),
    ]


def moderate(sub: Submission, config: ModerationSettings) -> Decision:
    """Run the rules in order; the first final decision wins, and a non-final
    hold on the way turns an approval into that hold."""
    hold = None
    for rule in policy():
        decision = rule.check(sub, config)
        if decision is None:
            continue
        if not decision.final:
            hold = hold or decision
            continue
        if hold is not None and decision.status == Comment.Status.APPROVED:
            return hold
        return decision
    raise AssertionError("DefaultRule always decides.")  # pragma: no cover


RULE_NAMES = [rule.name for rule in policy()]

import hashlib
import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModerationSettings(models.Model):
    """The moderation policy's numbers: one row, edited in the admin.

    Posts read it (with the word lists) from the shared cache through
    ``comments.policy``; the services that save it renew that copy, so a
    change applies to the next comment without a deploy or a restart, on
    every app server at once.
    """

    premoderate_all = models.BooleanField(
        _("hold every comment for review"),
        default=False,
        help_text=_(
            "Pre-moderation: comments that pass every rule wait for a moderator "
            "instead of appearing at once."
        ),
    )
    rate_short_count = models.PositiveIntegerField(
        _("comments per short window"),
        default=1,
        validators=[MinValueValidator(1)],
    )
    rate_short_seconds = models.PositiveIntegerField(
        _("short window (seconds)"),
        default=15,
        validators=[MinValueValidator(1)],
        help_text=_("Per IP address and per email address."),
    )
    rate_long_count = models.PositiveIntegerField(
        _("comments per long window"),
        default=10,
        validators=[MinValueValidator(1)],
    )
    rate_long_seconds = models.PositiveIntegerField(
        _("long window (seconds)"),
        default=3600,
        validators=[MinValueValidator(1)],
    )
    duplicate_window_hours = models.PositiveIntegerField(
        _("duplicate check (hours)"),
        default=24,
        help_text=_(
            "The same text from the same email on the same article within this "
            "time is refused; 0 turns the check off."
        ),
    )
    max_links = models.PositiveSmallIntegerField(
        _("links allowed"),
        default=1,
        help_text=_("A comment with more links than this is held for review."),
    )
    trusted_after_approved = models.PositiveSmallIntegerField(
        _("approved comments before trust"),
        default=1,
        help_text=_(
            "Comments from an email address are held until this many of its "
            "comments have been approved; 0 trusts first-time commenters."
        ),
    )
    report_threshold = models.DecimalField(
        _("report threshold"),
        max_digits=5,
        decimal_places=2,
        default=3,
        validators=[MinValueValidator(0.5)],
        help_text=_(
            "A comment leaves public view, until a moderator decides, once its "
            "open reports weigh this much. A new reader's report weighs 1; each "
            "of their earlier reports a moderator upheld adds 0.5 and each one "
            "dismissed takes 0.5 away (never below 0.25 nor above 3). With 3, "
            "three new readers, or two trusted ones, take a comment down."
        ),
    )
    reports_per_hour = models.PositiveIntegerField(
        _("reports per hour"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Per reader and per IP address."),
    )
    notify_moderators = models.BooleanField(
        _("email moderators"),
        default=True,
        help_text=_("Email the Moderators group when comments wait for review."),
    )
    notify_interval_minutes = models.PositiveIntegerField(
        _("at most one email every (minutes)"),
        default=15,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1), name="moderationsettings_singleton"
            ),
        ]

    def __str__(self):
        return str(_("Moderation settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "ModerationSettings":
        """The one row; made with the defaults if a migration has not."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def word_lists(self) -> dict[str, tuple[str, ...]]:
        """The watched words of each kind, read in one query the first time
        this object is asked (``comments.policy`` caches the object with them)."""
        lists = self.__dict__.get("_word_lists")
        if lists is None:
            found = {kind: [] for kind in ModerationWord.Kind.values}
            for word, kind in ModerationWord.objects.order_by().values_list(
                "word", "kind"
            ):
                found.setdefault(kind, []).append(word)
            lists = self._word_lists = {k: tuple(v) for k, v in found.items()}
        return lists


class ModerationWord(models.Model):
    """A word or phrase the rules look for in a comment's name and text.

    Matched whole, ignoring case; a trailing ``*`` matches any ending
    (``casino*`` matches "casinos").
    """

    class Kind(models.TextChoices):
        DISALLOWED = "disallowed", _("Disallowed: mark as spam")
        SUSPECT = "suspect", _("Suspect: hold for review")

    word = models.CharField(_("word or phrase"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "word"]
        verbose_name = _("moderation word")
        verbose_name_plural = _("moderation words")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "word"], name="moderationword_unique"
            ),
        ]

    def __str__(self):
        return self.word

    def save(self, *args, **kwargs):
        self.word = " ".join(self.word.split()).casefold()
        super().save(*args, **kwargs)

    def clean(self):
        word = " ".join(self.word.split())
        if not word.rstrip("*"):
            raise ValidationError({"word": _("Enter a word or phrase.")})
        if "*" in word[:-1]:
            raise ValidationError(
                {"word": _("A * may only end the word, as in “casino*”.")}
            )


def email_digest(email: str) -> str:
    """How a ban remembers an email address after its owner asked to be erased."""
    normalised = email.strip().lower().encode()
    return "sha256:" + hashlib.sha256(normalised).hexdigest()


class BanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )

    def matching(self, *, email: str = "", ip: str | None = None) -> list["Ban"]:
        """Active bans that cover this email address or IP address.

        The plain ORM statement of the rule; posting asks the same in its one
        query (``comments.history``), and the tests compare the two."""
        wanted = Q(pk__in=[])
        if email:
            wanted |= Q(kind=Ban.Kind.EMAIL, value__in=[email, email_digest(email)])
        if ip:
            wanted |= Q(kind=Ban.Kind.IP, value=ip) | Q(kind=Ban.Kind.NETWORK)
        found = []
        address = ipaddress.ip_address(ip) if ip else None
        for ban in self.active().filter(wanted):
            if ban.kind != Ban.Kind.NETWORK:
                found.append(ban)
            elif address in ipaddress.ip_network(ban.value, strict=False):
                found.append(ban)
        return found


class Ban(models.Model):
    """Comments from a banned email address, IP address or network are rejected."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        IP = "ip", _("IP address")
        NETWORK = "network", _("Network (CIDR)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value = models.CharField(
        _("value"),
        max_length=254,
        help_text=_(
            "reader@example.com, 203.0.113.7 or 203.0.113.0/24. An erased "
            "reader's email is kept only as a digest."
        ),
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Empty: never.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("banned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("banned"), auto_now_add=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="ban_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs):
        self.value = self.normalised_value(self.kind, self.value)
        super().save(*args, **kwargs)

    @property
    def description(self) -> str:
        """What a decision based on this ban says, for the audit log."""
        said = _("Banned %(kind)s (ban #%(id)d).") % {
            "kind": self.get_kind_display().lower(),
            "id": self.pk,
        }
        return f"{said} {self.reason}".strip()

    @staticmethod
    def normalised_value(kind: str, value: str) -> str:
        value = value.strip()
        try:
            if kind == Ban.Kind.IP:
                return str(ipaddress.ip_address(value))
            if kind == Ban.Kind.NETWORK:
                return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            return value
        return value.lower()

    def clean(self):
        value = (self.value or "").strip()
        try:
            if self.kind == self.Kind.EMAIL and not value.startswith("sha256:"):
                validate_email(value)
            elif self.kind == self.Kind.IP:
                ipaddress.ip_address(value)
            elif self.kind == self.Kind.NETWORK:
                network = ipaddress.ip_network(value, strict=False)
                if network.prefixlen < (16 if network.version == 4 else 32):
                    raise ValidationError(
                        {"value": _("That network is too wide to ban.")}
                    )
        except ValueError:
            raise ValidationError(
                {
                    "value": _("Enter a valid %(kind)s.")
                    % {"kind": self.get_kind_display().lower()}
                }
            ) from None
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise
            raise ValidationError({"value": error.messages}) from None

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's own decompression-bomb limit, lowered to ours: some formats
        # (WebP) allocate their canvas inside Image.open, before our check.
        Image.MAX_IMAGE_PIXELS = settings.NEWSROOM_IMAGE_MAX_PIXELS

        # The admin's index titles the app by its package name, "TAGGIT";
        # editors look for their tags.
        from django.apps import apps

        apps.get_app_config("taggit").verbose_name = _("Tags")

        # taggit's Tag is not ours to give a save(); a renamed tag makes the
        # pages that show it stale.
        from django.db.models.signals import post_save, pre_save
        from taggit.models import Tag

        post_save.connect(_tag_saved, sender=Tag, dispatch_uid="articles-tag-purge")
        # loaddata and django-reversion's revert are not ours either: their raw
        # saves must not write back the columns a revision leaves out.
        pre_save.connect(
            _article_raw_save,
            sender="articles.Article",
            dispatch_uid="articles-raw-save",
        )


def _tag_saved(sender, instance, created, **kwargs):
    if created:
        return  # a new tag is on no page yet (an import makes thousands)
    from articles.cache import tag_changed

    tag_changed(instance)


def _article_raw_save(sender, instance, raw, **kwargs):
    if raw and instance.pk is not None:
        instance.keep_owned_columns()

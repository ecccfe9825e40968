"""
The newsroom's roles and what each may do.

One table for the three groups. Migrations call ``sync_groups`` so the groups
exist right after ``migrate``; a test checks that every group holds exactly
these permissions, so a misspelt codename cannot go unnoticed.
"""

from django.contrib.auth.management import create_permissions

WRITERS = "Writers"
EDITORS = "Editors"
MODERATORS = "Moderators"


def _crud(model, *verbs):
    return [f"{verb}_{model}" for verb in verbs]


ALL = ("add", "change", "delete", "view")

ROLE_PERMISSIONS: dict[str, dict[str, list[str]]] = {
    # Writers draft and submit for review; an editor publishes.
    WRITERS: {
        "articles": [
            *_crud("article", "add", "change", "view"),
            *_crud("articleauthor", *ALL),
            *_crud("keytakeaway", *ALL),
            *_crud("relatedarticle", *ALL),
            *_crud("taggedarticle", *ALL),
            "view_section",
            "view_author",
        ],
        "taggit": ["add_tag", "view_tag"],
    },
    # Editors publish, schedule, withdraw and correct, and keep the desks.
    EDITORS: {
        "articles": [
            *_crud("article", *ALL),
            "publish_article",
            *_crud("articleauthor", *ALL),
            *_crud("keytakeaway", *ALL),
            *_crud("relatedarticle", *ALL),
            *_crud("taggedarticle", *ALL),
            *_crud("section", *ALL),
            *_crud("author", *ALL),
        ],
        "taggit": _crud("tag", *ALL),
        "comments": ["view_comment"],
    },
    # Moderators handle reader comments and nothing else: the queue, reports,
    # bans, word lists, the policy's settings, commenters' data requests, and
    # reading (never editing) the audit log.
    MODERATORS: {
        "comments": [
            *_crud("comment", "change", "delete", "view"),
            "moderate_comment",
            "ban_commenter",
            "manage_commenter_data",
            *_crud("ban", *ALL),
            *_crud("moderationword", *ALL),
            *_crud("moderationsettings", "change", "view"),
            "view_report",
            "view_auditentry",
        ],
    },
}


def sync_groups(apps, schema_editor=None):
    """Create the groups and give each exactly its permissions.

    Works with historical models inside a migration. Permissions of models a
    migration does not know yet are left for the migration that adds them.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        # Permissions are normally made after migrate; make them now. A
        # migration's app configs have no models module, which would make
        # create_permissions skip them, so lend them one for the call.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module
    for group_name, by_app in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = Permission.objects.none()
        for app_label, codenames in by_app.items():
            wanted = wanted | Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        group.permissions.set(wanted)


def may_import(user) -> bool:
    """Superusers and editors may import a WordPress export from the admin.

    An import publishes pieces and writes bylines and sections, so it needs
    what only editors have (publishing); the command asks the same of
    ``--user``. Writers and moderators may not.
    """
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm("articles.publish_article"))
    )

"""
Settings for the newsroom, all read from the environment.

No local overrides: every deployment differs only by its variables
(docs/deploy.md lists each with its default). ``base`` holds Django's own and the
publication's settings, ``database`` the connection to the
database, ``storage`` where uploads live (a folder or a bucket),
``security`` the headers, cookies and sign-in rules, ``webhooks`` the
webhooks' targets, retries and switching off.
"""

from .base import *  # noqa: F403
from .database import *  # noqa: F403
from .security import *  # noqa: F403
from .storage import *  # noqa: F403
from .webhooks import *  # noqa: F403

"""
Django's JSON serializer, keeping times to the microsecond.

Django's own encoder cuts datetimes and times to the millisecond, so a row
saved at 12:00:00.000500 came back from a restore as 12:00:00: a backup that
is not quite the data. This one writes the full ``isoformat()``; Django's
JSON deserializer reads it as it is, so archives stay plain ``dumpdata`` JSON
and older ones load as before.
"""

import datetime

from django.core.serializers.json import Deserializer as Deserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

FORMAT = "backup-json"


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder

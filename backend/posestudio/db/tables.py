"""Every table module, imported so that `SQLModel.metadata` knows them all.

Migrations and the no-drift test compare against this metadata: a new table module is
added here.
"""

from sqlmodel import SQLModel

from posestudio.accounts import models as _accounts  # noqa: F401
from posestudio.body import models as _body  # noqa: F401
from posestudio.clips import models as _clips  # noqa: F401
from posestudio.robots import models as _robots  # noqa: F401
from posestudio.sessions import models as _sessions  # noqa: F401

metadata = SQLModel.metadata

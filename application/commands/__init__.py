"""Every command of the application, registered as its module is imported."""

from application.commands import (  # noqa: F401 - importing registers them
    alerts,
    corrections,
    duty,
    incidents,
    neutrality,
    patrols,
    reference,
)
from application.commands.registry import COMMANDS, Command, match

__all__ = ["COMMANDS", "Command", "match"]

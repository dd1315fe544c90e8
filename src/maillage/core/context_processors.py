"""What every page's header shows of the person logged in."""

from django.conf import settings
from django.utils.module_loading import import_string


def unread_notifications(request) -> dict:
    """The number of the user's unread notifications, for the header: one COUNT query, run
    only when a page shows it. The function that counts them is named in settings (it
    belongs to a domain app, which the kernel does not import)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}
    count = import_string(settings.MAILLAGE_UNREAD_NOTIFICATIONS)
    # A callable: the template calls it (once, in a {% with %}) only where it is shown.
    return {"unread_notification_count": lambda: count(user)}

"""The domain errors every app raises, defined once so that pages and the API map each to
one answer (HTTP 409 with the reason) whatever app it comes from."""


class IllegalTransition(Exception):  # noqa: N818 - the domain's word
    """A state change that the model's transition table does not allow (HTTP 409)."""


class Conflict(Exception):  # noqa: N818 - the domain's word
    """Someone else saved the same thing first (HTTP 409); nothing was overwritten."""
